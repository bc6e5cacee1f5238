package dev.headgeo.wire;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.RunState;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Which versions of its records this release writes, to state stores and output topics, as Kafka
 * Streams' {@code upgrade.from} does: today's, or during a rolling upgrade ({@code --upgrade-from})
 * those of the release being replaced, so that its instances, still running under the same
 * application id, read what this one writes. Reading takes every version either way. A second
 * rolling bounce without the setting switches to today's versions.
 */
public final class Compatibility {
    /** The releases this one upgrades from, with the schema versions they read. */
    public enum Release {
        /**
         * Commit 4f86c05: reports v1, alerts v2 (no INCOMPLETE_RESOLVED, no
         * FLIP_FORECAST_WITHDRAWN), run state v1, run history v2, summaries v1.
         */
        V0_1(
                "0.1",
                List.of(
                        "dev.headgeo.avro.CheckpointReport:1",
                        "dev.headgeo.avro.Alert:2",
                        "dev.headgeo.avro.RunState:1",
                        "dev.headgeo.avro.RunHistory:2",
                        "dev.headgeo.avro.CheckpointSummary:1")),
        /**
         * 0.4 (commit 0a90cf5): reports v2, alerts v3 (no attention-health types), run state v2,
         * run history v2, summaries v1.
         */
        V0_4(
                "0.4",
                List.of(
                        "dev.headgeo.avro.CheckpointReport:2",
                        "dev.headgeo.avro.Alert:3",
                        "dev.headgeo.avro.RunState:2",
                        "dev.headgeo.avro.RunHistory:2",
                        "dev.headgeo.avro.CheckpointSummary:1")),
        /**
         * 0.5 (commit 715b197): today's formats but summaries v2 and run state v3 (no training
         * context).
         */
        V0_5("0.5", List.of("dev.headgeo.avro.CheckpointSummary:2", "dev.headgeo.avro.RunState:3"));

        final String name;
        final List<String> versions;

        Release(String name, List<String> versions) {
            this.name = name;
            this.versions = versions;
        }

        /**
         * @throws IllegalArgumentException naming the releases there are
         */
        public static Release parse(String text) {
            for (Release r : values()) {
                if (r.name.equals(
                        text.strip()
                                .toLowerCase(Locale.ROOT)
                                .replaceFirst("^v", "")
                                .replaceFirst("\\.0$", ""))) {
                    return r;
                }
            }
            throw new IllegalArgumentException(
                    "'"
                            + text
                            + "' is not a release this one upgrades from: "
                            + names()
                            + " (later releases need none)");
        }

        /** "0.1, 0.4 or 0.5". */
        static String names() {
            List<String> all = java.util.Arrays.stream(values()).map(r -> r.name).toList();
            return String.join(", ", all.subList(0, all.size() - 1))
                    + " or "
                    + all.get(all.size() - 1);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public static final Compatibility CURRENT = new Compatibility(null);

    private final Release upgradeFrom;

    private Compatibility(Release upgradeFrom) {
        this.upgradeFrom = upgradeFrom;
    }

    public static Compatibility upgradingFrom(Release release) {
        return new Compatibility(release);
    }

    /** The release whose versions are written; null for today's. */
    public Release upgradeFrom() {
        return upgradeFrom;
    }

    /**
     * The schema {@code schema}'s records are written as: an earlier version while upgrading from a
     * release that reads only that.
     */
    Schema writerSchema(Schema schema) {
        if (upgradeFrom == null) {
            return schema;
        }
        for (String v : upgradeFrom.versions) {
            String[] nameAndVersion = v.split(":");
            if (nameAndVersion[0].equals(schema.getFullName())) {
                List<Schema> earlier = SchemaHistory.earlierVersionsOf(schema);
                return earlier.get(Integer.parseInt(nameAndVersion[1]) - 1);
            }
        }
        return schema;
    }

    /** A codec writing what this compatibility says and reading every version. */
    public <T extends SpecificRecord> AvroCodec<T> codec(Schema schema) {
        return new AvroCodec<>(schema, writerSchema(schema));
    }

    /**
     * A serde writing what this compatibility says (in Avro; JSON is read by field names and needs
     * none).
     */
    public <T extends SpecificRecord> AvroSerde<T> serde(Schema schema, AvroSerde.Format format) {
        return new AvroSerde<>(schema, format, writerSchema(schema));
    }

    /** Whether the release upgraded from can read this alert (its type existed there). */
    public boolean writes(Alert alert) {
        Schema writer = writerSchema(Alert.getClassSchema());
        return writer.getField("type").schema().hasEnumSymbol(alert.getType().name());
    }

    /**
     * The run state as the release upgraded from can hold it: without the alerts of types it does
     * not know.
     */
    public RunState fit(RunState state) {
        if (upgradeFrom == null || state.getRecentAlerts().stream().allMatch(this::writes)) {
            return state;
        }
        RunState copy = RunState.newBuilder(state).build();
        copy.setRecentAlerts(state.getRecentAlerts().stream().filter(this::writes).toList());
        return copy;
    }

    /**
     * Records are always read in every version; the name of what is written, for the start-up line.
     */
    @Override
    public String toString() {
        return upgradeFrom == null
                ? "today's formats"
                : "the formats release "
                        + upgradeFrom
                        + " reads (--upgrade-from "
                        + upgradeFrom
                        + ")";
    }
}
