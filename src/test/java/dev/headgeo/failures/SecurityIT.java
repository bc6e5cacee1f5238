package dev.headgeo.failures;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.cli.CliTesting;
import dev.headgeo.client.TopicCreator;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.HeadgeoTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SASL/PLAIN broker with ACLs (StandardAuthorizer): a processor missing its group ACL, or WRITE
 * on the reports topic, stops within 30 s with a line naming what is missing, instead of replacing
 * its threads forever; a wrong password is one line and exit 2 within seconds.
 */
class SecurityIT {
    static final String APP_PASSWORD = "app-secret";
    static EmbeddedKafka kafka;

    @TempDir static Path tmp;

    @BeforeAll
    static void start() {
        // one principal per test: ACLs belong to principals, and each test grants a different set
        kafka =
                EmbeddedKafka.startSecured(
                        Map.of(
                                "admin",
                                "admin-secret",
                                "no-group-app",
                                APP_PASSWORD,
                                "no-write-app",
                                APP_PASSWORD,
                                "full-app",
                                APP_PASSWORD,
                                "any-app",
                                APP_PASSWORD,
                                "reader",
                                APP_PASSWORD,
                                "stranger",
                                APP_PASSWORD));
        TopicCreator.createMissing(
                client("admin", "admin-secret"), HeadgeoTopics.defaults().names());
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    static Properties client(String user, String password) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", "PLAIN");
        p.put("sasl.jaas.config", EmbeddedKafka.jaas(user, password));
        return p;
    }

    static AclBinding allow(
            String user,
            ResourceType type,
            String name,
            PatternType pattern,
            AclOperation operation) {
        return new AclBinding(
                new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    /**
     * Everything a processor with application id {@code app} (and principal of the same name)
     * needs, but what {@code leaveOut} names.
     */
    static void grant(String app, String leaveOut) throws Exception {
        List<AclBinding> acls =
                new ArrayList<>(
                        List.of(
                                allow(
                                        app,
                                        ResourceType.TOPIC,
                                        HeadgeoTopics.DEFAULT_LAYERS,
                                        PatternType.LITERAL,
                                        AclOperation.READ),
                                allow(
                                        app,
                                        ResourceType.TOPIC,
                                        HeadgeoTopics.DEFAULT_ALERTS,
                                        PatternType.LITERAL,
                                        AclOperation.WRITE),
                                allow(
                                        app,
                                        ResourceType.TOPIC,
                                        HeadgeoTopics.DEFAULT_DEAD_LETTERS,
                                        PatternType.LITERAL,
                                        AclOperation.WRITE),
                                allow(
                                        app,
                                        ResourceType.TOPIC,
                                        app,
                                        PatternType.PREFIXED,
                                        AclOperation.ALL),
                                allow(
                                        app,
                                        ResourceType.TRANSACTIONAL_ID,
                                        app,
                                        PatternType.PREFIXED,
                                        AclOperation.ALL)));
        if (!leaveOut.equals("group")) {
            acls.add(allow(app, ResourceType.GROUP, app, PatternType.LITERAL, AclOperation.READ));
        }
        if (!leaveOut.equals("reports")) {
            acls.add(
                    allow(
                            app,
                            ResourceType.TOPIC,
                            HeadgeoTopics.DEFAULT_REPORTS,
                            PatternType.LITERAL,
                            AclOperation.WRITE));
        } else {
            acls.add(
                    allow(
                            app,
                            ResourceType.TOPIC,
                            HeadgeoTopics.DEFAULT_REPORTS,
                            PatternType.LITERAL,
                            AclOperation.DESCRIBE));
        }
        try (Admin admin = Admin.create(client("admin", "admin-secret"))) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
    }

    static String[] run(String app, String password) {
        return new String[] {
            "run",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--application-id",
            app,
            "--state-dir",
            tmp.resolve(app).toString(),
            "--http-address",
            "none",
            "--no-create-topics",
            "--kafka",
            "security.protocol=SASL_PLAINTEXT",
            "--kafka",
            "sasl.mechanism=PLAIN",
            "--kafka",
            "sasl.jaas.config=" + EmbeddedKafka.jaas(app, password)
        };
    }

    static CliTesting.Result runFor(Duration limit, String... args) throws Exception {
        return CompletableFuture.supplyAsync(() -> CliTesting.run(args))
                .get(limit.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void withoutTheGroupAclTheProcessorDoesNotStartAndNamesIt() throws Exception {
        grant("no-group-app", "group");
        long t0 = System.nanoTime();
        CliTesting.Result r = runFor(Duration.ofSeconds(30), run("no-group-app", APP_PASSWORD));

        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("not authorized", "READ on group no-group-app");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30);
    }

    @Test
    void forwardAndWatchWithAGroupButWithoutItsAclExitWithTheSameLine() throws Exception {
        try (Admin admin = Admin.create(client("admin", "admin-secret"))) {
            admin.createAcls(
                            List.of(
                                    allow(
                                            "reader",
                                            ResourceType.TOPIC,
                                            HeadgeoTopics.DEFAULT_ALERTS,
                                            PatternType.LITERAL,
                                            AclOperation.READ),
                                    allow(
                                            "reader",
                                            ResourceType.TOPIC,
                                            HeadgeoTopics.DEFAULT_REPORTS,
                                            PatternType.LITERAL,
                                            AclOperation.READ)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        String[] sasl = {
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--kafka",
            "security.protocol=SASL_PLAINTEXT",
            "--kafka",
            "sasl.mechanism=PLAIN",
            "--kafka",
            "sasl.jaas.config=" + EmbeddedKafka.jaas("reader", APP_PASSWORD)
        };
        for (String[] command :
                List.of(
                        new String[] {
                            "forward", "--to", "http://127.0.0.1:1/", "--group", "ops-forward"
                        },
                        new String[] {"watch", "--group", "ops-watch"})) {
            String[] args =
                    java.util.stream.Stream.concat(
                                    java.util.Arrays.stream(command), java.util.Arrays.stream(sasl))
                            .toArray(String[]::new);
            long t0 = System.nanoTime();
            CliTesting.Result r = runFor(Duration.ofSeconds(30), args);
            assertThat(r.status()).as(command[0] + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(command[0]).hasSize(1);
            assertThat(r.err())
                    .contains(
                            "headgeo "
                                    + command[0]
                                    + ": not authorized at "
                                    + kafka.bootstrapServers()
                                    + ": this principal lacks READ on group "
                                    + command[command.length - 1]);
            assertThat((System.nanoTime() - t0) / 1e9).as(command[0]).isLessThan(15);
        }
    }

    @Test
    void aPrincipalWithoutAnyAclIsToldWhichTopicsItCannotSeeOrCreate() throws Exception {
        String[] sasl = {
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--kafka",
            "security.protocol=SASL_PLAINTEXT",
            "--kafka",
            "sasl.mechanism=PLAIN",
            "--kafka",
            "sasl.jaas.config=" + EmbeddedKafka.jaas("stranger", APP_PASSWORD)
        };
        Path dump = tmp.resolve("dump.json");
        Files.copy(
                Path.of("src/test/resources/golden/identical_layers.json"),
                dump,
                StandardCopyOption.REPLACE_EXISTING);
        String[] publish =
                java.util.stream.Stream.concat(
                                java.util.stream.Stream.of(
                                        "publish",
                                        dump.toString(),
                                        "--run",
                                        "r",
                                        "--checkpoint",
                                        "1"),
                                java.util.Arrays.stream(sasl))
                        .toArray(String[]::new);
        CliTesting.Result published = runFor(Duration.ofSeconds(30), publish);
        assertThat(published.status()).as(published.err()).isEqualTo(2);
        assertThat(published.err().strip().lines()).hasSize(1);
        assertThat(published.err())
                .contains(
                        "headgeo publish: not authorized at "
                                + kafka.bootstrapServers()
                                + ": this principal lacks DESCRIBE on topic "
                                + HeadgeoTopics.DEFAULT_LAYERS
                                + " (");

        String[] run =
                java.util.stream.Stream.concat(
                                java.util.stream.Stream.of(
                                        "run",
                                        "--http-address",
                                        "none",
                                        "--state-dir",
                                        tmp.resolve("stranger").toString()),
                                java.util.Arrays.stream(sasl))
                        .toArray(String[]::new);
        CliTesting.Result ran = runFor(Duration.ofSeconds(30), run);
        assertThat(ran.status()).as(ran.err()).isEqualTo(2);
        assertThat(ran.err().strip().lines()).hasSize(1);
        assertThat(ran.err())
                .contains(
                        "headgeo run: cannot create topic ",
                        " at "
                                + kafka.bootstrapServers()
                                + ": this principal lacks CREATE on the cluster or the topic",
                        "--no-create-topics");
    }

    @Test
    void withoutWriteOnTheReportsTopicTheProcessorDoesNotStartAndNamesIt() throws Exception {
        grant("no-write-app", "reports");
        CliTesting.Result r = runFor(Duration.ofSeconds(30), run("no-write-app", APP_PASSWORD));

        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err())
                .contains("not authorized", "WRITE on topic " + HeadgeoTopics.DEFAULT_REPORTS);
        assertThat(r.err()).doesNotContain("group");
    }

    @Test
    void withEveryAclTheProcessorReportsUntilStopped() throws Exception {
        grant("full-app", "nothing");
        CompletableFuture<CliTesting.Result> running =
                CompletableFuture.supplyAsync(() -> CliTesting.run(run("full-app", APP_PASSWORD)));
        try (RunPublisher publish = new RunPublisher(client("admin", "admin-secret"))) {
            publish.checkpoint("acl-run", 1, "two_layers");
        }
        List<dev.headgeo.avro.CheckpointReport> reports =
                ReportReader.read(
                        client("admin", "admin-secret"),
                        HeadgeoTopics.defaults(),
                        1,
                        Duration.ofSeconds(60));
        assertThat(running.isDone()).as(running.isDone() ? running.get().err() : "").isFalse();
        assertThat(reports)
                .extracting(dev.headgeo.avro.CheckpointReport::getCheckpoint)
                .containsExactly(1L);
    }

    @Test
    void aWrongPasswordIsOneLineWithinSeconds() throws Exception {
        for (String[] args :
                List.of(
                        run("any-app", "wrong"),
                        resetAs("any-app", "wrong"),
                        new String[] {
                            "watch",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--kafka",
                            "security.protocol=SASL_PLAINTEXT",
                            "--kafka",
                            "sasl.mechanism=PLAIN",
                            "--kafka",
                            "sasl.jaas.config=" + EmbeddedKafka.jaas("any-app", "wrong")
                        })) {
            long t0 = System.nanoTime();
            CliTesting.Result r = runFor(Duration.ofSeconds(20), args);
            double seconds = (System.nanoTime() - t0) / 1e9;

            assertThat(r.status()).as(r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).contains("authentication failed");
            assertThat(seconds).as(args[0]).isLessThan(5);
        }
    }

    static String[] resetAs(String user, String password) {
        return new String[] {
            "reset",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--application-id",
            "reset-app",
            "--state-dir",
            tmp.resolve("reset-app").toString(),
            "--kafka",
            "security.protocol=SASL_PLAINTEXT",
            "--kafka",
            "sasl.mechanism=PLAIN",
            "--kafka",
            "sasl.jaas.config=" + EmbeddedKafka.jaas(user, password)
        };
    }

    @Test
    void resetTakesTheSecuritySettingsToKafkasOwnResetter() throws Exception {
        CliTesting.Result r = runFor(Duration.ofSeconds(60), resetAs("admin", "admin-secret"));
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "reset: reset-app starts over from the earliest records of headgeo.layers");
    }
}
