package dev.headgeo.cli;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.client.KafkaCheck;
import dev.headgeo.client.OutputFollower;
import dev.headgeo.console.ConsoleView;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.HeadgeoTopics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description =
                "Follows the reports and alerts live (Avro or JSON values): a line per report, a"
                        + " highlighted line per alert.")
final class WatchCommand implements Callable<Integer> {
    @Mixin ConfigFileOption configFile;

    @Spec CommandSpec spec;

    @Mixin KafkaClientSettings kafka;

    @Option(names = "--run", description = "Only this run.")
    String run;

    @Option(
            names = "--from-beginning",
            description = "Start from the oldest records instead of new ones.")
    boolean fromBeginning;

    @Option(
            names = "--format",
            defaultValue = "text",
            description =
                    "text, or json: each report or alert as one JSON line (default:"
                            + " ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--alerts-only", description = "Only alerts, no reports.")
    boolean alertsOnly;

    @Option(
            names = "--group",
            description =
                    "Consumer group: commit what was shown and resume there next time (with"
                            + " --from-beginning, a new group starts at the oldest records).")
    String group;

    @Option(names = "--max-records", description = "Stop after this many reports and alerts.")
    Integer maxRecords;

    @Option(
            names = "--idle-timeout",
            description = "Stop when nothing new came for this long (30s, 2m).")
    Duration idleTimeout;

    @Mixin ReportsTopicOption reportsTopic;

    @Mixin AlertsTopicOption alertsTopic;

    private int seen;

    @Override
    public Integer call() {
        Duration idle = idleTimeout == null ? null : Checks.positive("--idle-timeout", idleTimeout);
        PrintWriter out = spec.commandLine().getOut();
        ConsoleView view = new ConsoleView(out, format == Format.text && ConsoleView.terminal());
        OutputFollower.Listener listener =
                new OutputFollower.Listener() {
                    @Override
                    public void report(CheckpointReport r) {
                        show(r.getRunId(), r, () -> view.report(r));
                    }

                    @Override
                    public void alert(Alert a) {
                        show(a.getRunId(), a, () -> view.alert(a));
                    }

                    private void show(String runId, IndexedRecord record, Runnable asText) {
                        if (run != null && !run.equals(runId)) {
                            return;
                        }
                        seen++;
                        if (format == Format.json) {
                            out.println(AvroJson.toJsonLine(record));
                            out.flush();
                        } else {
                            asText.run();
                        }
                    }

                    @Override
                    public void undecodable(String topic, String why) {
                        spec.commandLine()
                                .getErr()
                                .println(
                                        "headgeo watch: skipped a record of " + topic + ": " + why);
                    }
                };
        OutputFollower follower;
        try {
            HeadgeoTopics topics =
                    HeadgeoTopics.builder()
                            .reports(reportsTopic.name)
                            .alerts(alertsTopic.name)
                            .build();
            List<String> read =
                    alertsOnly
                            ? List.of(alertsTopic.name)
                            : List.of(reportsTopic.name, alertsTopic.name);
            KafkaCheck.check(kafka.clientProperties(), read);
            if (group != null) {
                Map<String, AclOperation> needs = new LinkedHashMap<>();
                read.forEach(t -> needs.put(t, AclOperation.READ));
                KafkaCheck.checkPermissions(kafka.clientProperties(), needs, group);
            }
            follower =
                    new OutputFollower(
                            kafka.clientProperties(),
                            topics,
                            new OutputFollower.Options(!alertsOnly, true, fromBeginning, group));
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage());
        }
        if (format == Format.text) {
            if (!alertsOnly) {
                view.header();
            }
        }
        try (SignalStop signal = SignalStop.install("watch-shutdown", follower::wakeup);
                follower) {
            long lastRecord = System.nanoTime();
            while (maxRecords == null || seen < maxRecords) {
                if (follower.poll(Duration.ofMillis(200), listener) > 0) {
                    follower.commit();
                    lastRecord = System.nanoTime();
                } else if (idle != null && System.nanoTime() - lastRecord > idle.toNanos()) {
                    break;
                }
            }
        } catch (WakeupException e) {
            // Ctrl-C: a clean stop.
        }
        return 0;
    }
}
