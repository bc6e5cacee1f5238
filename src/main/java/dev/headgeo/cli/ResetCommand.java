package dev.headgeo.cli;

import dev.headgeo.client.ApplicationReset;
import dev.headgeo.client.KafkaCheck;
import dev.headgeo.wire.HeadgeoTopics;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "reset",
        mixinStandardHelpOptions = true,
        description = {
            "Makes a stopped application start over: Kafka's StreamsResetter moves its input"
                    + " offsets (to the earliest layer records, or the latest) and deletes its"
                    + " changelogs; then this machine's state directory of it is deleted.",
            "Stop every instance first. Reports, alerts and dead letters already written stay: what"
                    + " is reprocessed is reported again.",
            "Each setting: flag > HEADGEO_<NAME> environment variable > --config file (name=value)"
                    + " > default."
        })
final class ResetCommand implements Callable<Integer> {
    @Mixin ConfigFileOption configFile;

    @Mixin KafkaClientSettings kafka;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin StreamsAppOptions application;

    @Option(
            names = "--to-latest",
            description =
                    "Skip the layer records there are now instead of reprocessing them from the"
                            + " earliest.")
    boolean toLatest;

    @Option(names = "--dry-run", description = "Say what would be reset; change nothing.")
    boolean dryRun;

    @Option(
            names = "--force",
            description =
                    "Remove members still in the group first (a killed instance stays one until its"
                            + " session times out).")
    boolean force;

    @Option(
            names = "--local-only",
            description =
                    "Only delete this machine's state directory (on each other instance's machine"
                            + " after a reset).")
    boolean localOnly;

    @Override
    public Integer call() {
        HeadgeoTopics topics = HeadgeoTopics.builder().layers(application.inputTopic).build();
        ApplicationReset reset =
                new ApplicationReset(
                        kafka.bootstrapServers,
                        application.applicationId,
                        application.stateDir,
                        topics,
                        kafka.passThrough());
        var out = spec.commandLine().getOut();
        // offsets reset but changelogs kept would restore old state under reprocessed records: a
        // reset stopped by Ctrl-C or SIGTERM says so
        Thread stopped =
                new Thread(
                        () -> {
                            if (CleanStop.bySignal()) {
                                System.err.println(
                                        "headgeo reset: stopped before it finished: run it again"
                                                + " before starting "
                                                + application.applicationId);
                            }
                        },
                        "reset-shutdown");
        Runtime.getRuntime().addShutdownHook(stopped);
        try {
            if (localOnly) {
                reset.cleanUpLocalState();
                out.println(
                        "reset: deleted this machine's local state of "
                                + application.applicationId);
                return 0;
            }
            try {
                // as run does: a dead address, a wrong password or no input topic, in one line
                KafkaCheck.check(kafka.clientProperties(), List.of(application.inputTopic));
            } catch (IllegalStateException e) {
                throw new UserError(e.getMessage());
            }
            ApplicationReset.Outcome outcome =
                    reset.reset(
                            toLatest
                                    ? ApplicationReset.Position.LATEST
                                    : ApplicationReset.Position.EARLIEST,
                            dryRun,
                            force);
            out.print(outcome.resetterOutput());
            out.println(
                    dryRun
                            ? "reset: dry run, nothing changed"
                            : "reset: "
                                    + application.applicationId
                                    + " starts over from the "
                                    + (toLatest ? "latest" : "earliest")
                                    + " records of "
                                    + application.inputTopic
                                    + (outcome.localStateDeleted()
                                            ? "; this machine's local state deleted (run reset"
                                                    + " --local-only on the other instances'"
                                                    + " machines)"
                                            : ""));
            out.flush();
            return 0;
        } catch (IllegalStateException e) {
            throw new Failure(e.getMessage());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopped);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs, or has run
            }
        }
    }
}
