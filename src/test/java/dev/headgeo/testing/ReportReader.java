package dev.headgeo.testing;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.client.OutputFollower;
import dev.headgeo.wire.HeadgeoTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Reads every committed report from the beginning, as a consumer of headgeo would. */
public final class ReportReader {
    private ReportReader() {}

    /**
     * The reports on the topic, waiting until there are {@code expected} or {@code patience} has
     * passed.
     */
    public static List<CheckpointReport> read(
            Properties client, HeadgeoTopics topics, int expected, Duration patience) {
        return read(client, topics, expected, patience, r -> true);
    }

    /**
     * The reports that {@code which} accepts, waiting until there are {@code expected} or {@code
     * patience} has passed.
     */
    public static List<CheckpointReport> read(
            Properties client,
            HeadgeoTopics topics,
            int expected,
            Duration patience,
            java.util.function.Predicate<CheckpointReport> which) {
        List<CheckpointReport> reports = new ArrayList<>();
        try (OutputFollower follower = new OutputFollower(client, topics, true)) {
            long deadline = System.nanoTime() + patience.toNanos();
            while (reports.size() < expected && System.nanoTime() < deadline) {
                follower.poll(
                        Duration.ofMillis(200),
                        new OutputFollower.Listener() {
                            @Override
                            public void report(CheckpointReport r) {
                                if (which.test(r)) {
                                    reports.add(r);
                                }
                            }

                            @Override
                            public void alert(Alert a) {}
                        });
            }
        }
        return reports;
    }

    /** The same for a broker given by its bootstrap address. */
    public static List<CheckpointReport> read(String bootstrap, int expected, Duration patience) {
        Properties client = new Properties();
        client.put("bootstrap.servers", bootstrap);
        return read(client, HeadgeoTopics.defaults(), expected, patience);
    }
}
