package dev.headgeo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering the docs describe (docs/design.md, "Code layout"), checked on the compiled classes:
 * the math stands alone; the wire contract knows no processor; the processor knows no HTTP, client
 * program or command line; the HTTP API knows no command line; nothing but the command line knows
 * the command line; nobody reaches into Kafka's internals.
 */
class ArchitectureTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.headgeo");
    }

    static final ArchRule ANALYSIS_IS_PLAIN_JAVA =
            classes()
                    .that()
                    .resideInAPackage("dev.headgeo.analysis..")
                    .should()
                    .onlyDependOnClassesThat()
                    .resideInAnyPackage("dev.headgeo.analysis..", "java..")
                    .because(
                            "the math has no Kafka, Avro or Jackson import: plain, fast Java that"
                                    + " matches the reference script");

    static final ArchRule WIRE_KNOWS_NO_PROCESSOR =
            noClasses()
                    .that()
                    .resideInAPackage("dev.headgeo.wire..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "dev.headgeo.stream..",
                            "dev.headgeo.report..",
                            "dev.headgeo.http..",
                            "dev.headgeo.client..",
                            "dev.headgeo.app..",
                            "dev.headgeo.cli..",
                            "dev.headgeo.demo..",
                            "dev.headgeo.bench..",
                            "dev.headgeo.console..")
                    .because(
                            "the contract in code (codecs, serdes, typed topics) is what every side"
                                    + " shares");

    static final ArchRule STREAM_KNOWS_NO_EDGE =
            noClasses()
                    .that()
                    .resideInAPackage("dev.headgeo.stream..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "dev.headgeo.http..",
                            "dev.headgeo.client..",
                            "dev.headgeo.app..",
                            "dev.headgeo.cli..",
                            "dev.headgeo.demo..",
                            "dev.headgeo.bench..",
                            "dev.headgeo.console..")
                    .because(
                            "stream holds only what `run` deploys: topology, processors, handlers,"
                                    + " settings");

    static final ArchRule HTTP_KNOWS_NO_COMMAND_LINE =
            noClasses()
                    .that()
                    .resideInAPackage("dev.headgeo.http..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "dev.headgeo.cli..",
                            "dev.headgeo.app..",
                            "dev.headgeo.demo..",
                            "dev.headgeo.bench..",
                            "dev.headgeo.console..")
                    .because("the HTTP API serves the processor's state whoever started it");

    static final ArchRule ONLY_THE_COMMAND_LINE_KNOWS_ITSELF =
            noClasses()
                    .that()
                    .resideOutsideOfPackage("dev.headgeo.cli..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("dev.headgeo.cli..")
                    .because(
                            "the CLI is thin wiring on top: nothing below reads picocli's options");

    static final ArchRule NO_KAFKA_INTERNALS =
            noClasses()
                    .that()
                    .resideOutsideOfPackage("dev.headgeo.kafka..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage("org.apache.kafka..internals..", "kafka..")
                    .because(
                            "Kafka's public API only (the embedded broker's KafkaRaftServer aside:"
                                    + " see dev.headgeo.kafka)");

    @Test
    void theMathStandsAlone() {
        ANALYSIS_IS_PLAIN_JAVA.check(main);
    }

    @Test
    void theWireContractKnowsNoProcessor() {
        WIRE_KNOWS_NO_PROCESSOR.check(main);
    }

    @Test
    void theProcessorKnowsNoEdge() {
        STREAM_KNOWS_NO_EDGE.check(main);
    }

    @Test
    void theHttpApiKnowsNoCommandLine() {
        HTTP_KNOWS_NO_COMMAND_LINE.check(main);
    }

    @Test
    void onlyTheCommandLineKnowsTheCommandLine() {
        ONLY_THE_COMMAND_LINE_KNOWS_ITSELF.check(main);
    }

    @Test
    void noClassReachesIntoKafkaInternals() {
        NO_KAFKA_INTERNALS.check(main);
    }
}
