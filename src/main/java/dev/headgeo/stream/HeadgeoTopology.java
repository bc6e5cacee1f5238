package dev.headgeo.stream;

import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.avro.RunState;
import dev.headgeo.wire.AvroSerde;
import dev.headgeo.wire.Compatibility;
import dev.headgeo.wire.HeadgeoTopics;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * headgeo's topology (each edge carries one type of {@link Flow}):
 *
 * <pre>
 * layers-source (headgeo.layers, key run_id)
 *   └─ decode-layers ──────────────────────────────────────────────────────────┐ DeadLetter
 *        └─ gather-layers   [checkpoint-layers, open-checkpoints, run-history]  ├─▶ dead-letters-sink (headgeo.dead-letters)
 *             │  time-out punctuator ───────────────────────────────────────────┤
 *             └─ analyze-checkpoint   [run-history] ────────────────────────────┘ (layers of a failed analysis)
 *                  ├─ reports-sink (headgeo.reports)                  Reported
 *                  ├─ track-verdicts   [run-history]                  Reported | AnalysisFailed
 *                  │    ├─ alerts-sink (headgeo.alerts)               RaisedAlert
 *                  │    └─ remember-runs                              RaisedAlert | ForecastChanged
 *                  └─ remember-runs   [run-state, checkpoint-summaries, recent-reports]   Reported   (interactive queries)
 * </pre>
 *
 * analyze-checkpoint judges attention health and drivers against the run's previous complete
 * checkpoint, kept in run-history beside the verdict history track-verdicts keeps there.
 *
 * <p>Records the topology rejects (MALFORMED, INVALID, TOO_LARGE, INCONSISTENT_CHECKPOINT, LATE)
 * and the layers of a failed analysis (PROCESSING_ERROR) flow as values to the one dead-letter
 * sink; Kafka's exception handlers stay configured as the safety net for what the topology cannot
 * see (a bug thrown out of a processor, a record the broker refuses). The input is keyed by run_id,
 * so a run's layers, checkpoints and history live in one task and nothing is repartitioned.
 */
public final class HeadgeoTopology {
    public static final String SOURCE = "layers-source";
    static final Node<Flow.ReceivedLayer> GATHER = new Node<>("gather-layers");
    static final Node<GatheredCheckpoint> ANALYZE = new Node<>("analyze-checkpoint");
    static final Node<Flow.CheckpointOutcome> TRACK = new Node<>("track-verdicts");
    static final Node<Flow.RunEvent> REMEMBER = new Node<>("remember-runs");
    static final Node<Flow.Reported> REPORTS = new Node<>("reports-sink");
    static final Node<Flow.RaisedAlert> ALERTS = new Node<>("alerts-sink");
    static final Node<Flow.DeadLetter> DEAD_LETTERS = new Node<>("dead-letters-sink");
    public static final String DECODE = "decode-layers";
    public static final String LAYERS_STORE = "checkpoint-layers";
    public static final String OPEN_CHECKPOINTS_STORE = "open-checkpoints";
    public static final String RUN_HISTORY_STORE = "run-history";
    public static final String RUN_STATE_STORE = "run-state";
    public static final String CHECKPOINT_SUMMARIES_STORE = "checkpoint-summaries";
    public static final String RECENT_REPORTS_STORE = "recent-reports";

    /**
     * The layers' changelog in 64 MiB segments instead of 1 GiB: only closed segments are
     * compacted, so a restart replays at most about one segment beyond the open checkpoints'
     * layers.
     */
    static final Map<String, String> LAYERS_CHANGELOG_CONFIG =
            Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));

    private HeadgeoTopology() {}

    public static Topology build(HeadgeoTopics topics, StreamSettings settings) {
        return build(topics, settings, HeadgeoMetrics.unregistered());
    }

    public static Topology build(
            HeadgeoTopics topics, StreamSettings settings, HeadgeoMetrics metrics) {
        AvroSerde.Format stored = AvroSerde.Format.avro;
        Compatibility written = topics.compatibility();
        DeadLetters deadLetters = new DeadLetters(metrics);
        OpenLayerBudget openLayers = new OpenLayerBudget(settings.maxOpenLayerBytes());
        Topology topology = new Topology();
        topology.addSource(
                SOURCE,
                RawKeys.DESERIALIZER,
                Serdes.ByteArray().deserializer(),
                topics.layers().name());
        topology.addProcessor(
                DECODE,
                () -> new DecodeLayersProcessor(settings.maxLayerBytes(), deadLetters),
                SOURCE);
        processor(
                topology,
                GATHER,
                () -> new GatherLayersProcessor(settings, openLayers, deadLetters),
                DECODE);
        processor(
                topology,
                ANALYZE,
                () ->
                        new AnalyzeCheckpointProcessor(
                                settings.primaryAnchor(),
                                metrics,
                                deadLetters,
                                written.codec(CheckpointReport.getClassSchema())),
                GATHER.name());
        sink(
                topology,
                DEAD_LETTERS,
                topics.deadLetters().name(),
                RawKeys.SERIALIZER,
                Flow.DeadLetter::value,
                topics.deadLetters().valueSerde().serializer(),
                DECODE,
                GATHER.name(),
                ANALYZE.name());
        if (topics.reports().valueSerde() instanceof AvroSerde<CheckpointReport> serde
                && serde.format() == AvroSerde.Format.avro) {
            // the encoding analyze-checkpoint made once (the bytes AvroSerde would write)
            sink(
                    topology,
                    REPORTS,
                    topics.reports().name(),
                    topics.reports().keySerde().serializer(),
                    Flow.Reported::avro,
                    Serdes.ByteArray().serializer(),
                    ANALYZE.name());
        } else {
            sink(
                    topology,
                    REPORTS,
                    topics.reports().name(),
                    topics.reports().keySerde().serializer(),
                    Flow.Reported::report,
                    topics.reports().valueSerde().serializer(),
                    ANALYZE.name());
        }
        processor(
                topology,
                TRACK,
                () -> new TrackVerdictsProcessor(settings, metrics, written),
                ANALYZE.name());
        sink(
                topology,
                ALERTS,
                topics.alerts().name(),
                topics.alerts().keySerde().serializer(),
                Flow.RaisedAlert::alert,
                topics.alerts().valueSerde().serializer(),
                TRACK.name());
        processor(
                topology,
                REMEMBER,
                () -> new RememberRunsProcessor(settings, written),
                ANALYZE.name(),
                TRACK.name());

        // in memory: layers are 99 % of the state's bytes and live seconds (written once, read and
        // deleted
        // at completion), which RocksDB turned into memtable flushes and compactions; the changelog
        // still restores them. Both gathering stores are cached: a checkpoint that completes within
        // a commit
        // interval (most do) is put and deleted in the cache, and only the deletes reach the store
        // and its changelog
        // instead of every layer's bytes and every open-checkpoint update (a megabyte per 32 x 32 x
        // 128 checkpoint
        // the broker no longer writes, issue #35); what is still open at a commit is flushed as
        // before
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(LAYERS_STORE),
                                Serdes.String(),
                                Serdes.ByteArray())
                        .withLoggingEnabled(LAYERS_CHANGELOG_CONFIG)
                        .withCachingEnabled(),
                GATHER.name());
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(OPEN_CHECKPOINTS_STORE),
                                Serdes.String(),
                                new AvroSerde<OpenCheckpoint>(
                                        OpenCheckpoint.getClassSchema(), stored))
                        .withCachingEnabled(),
                GATHER.name());
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(RUN_HISTORY_STORE),
                        Serdes.String(),
                        written.<RunHistory>serde(RunHistory.getClassSchema(), stored)),
                GATHER.name(),
                ANALYZE.name(),
                TRACK.name());
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(RUN_STATE_STORE),
                        Serdes.String(),
                        written.<RunState>serde(RunState.getClassSchema(), stored)),
                REMEMBER.name());
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(CHECKPOINT_SUMMARIES_STORE),
                        Serdes.String(),
                        written.<CheckpointSummary>serde(
                                CheckpointSummary.getClassSchema(), stored)),
                REMEMBER.name());
        // the reports' Avro bytes as the processor encoded them (what an AvroSerde would store):
        // remember-runs checks and
        // trims entries without decoding 50 KB reports, and readers decode only the ones they
        // answer with
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(RECENT_REPORTS_STORE),
                        Serdes.String(),
                        Serdes.ByteArray()),
                REMEMBER.name());
        return topology;
    }

    /**
     * A processor at {@code node}, which only compiles when it takes what the node's parents send.
     */
    private static <V, KO, VO> void processor(
            Topology topology,
            Node<V> node,
            ProcessorSupplier<String, V, KO, VO> supplier,
            String... parents) {
        topology.addProcessor(node.name(), supplier, parents);
    }

    /** A sink at {@code node} writing the part of each value that the topic's serializer takes. */
    private static <V, T> void sink(
            Topology topology,
            Node<V> node,
            String topic,
            Serializer<String> keySerializer,
            Function<V, T> part,
            Serializer<T> valueSerializer,
            String... parents) {
        topology.addSink(
                node.name(),
                topic,
                keySerializer,
                new Serializer<V>() {
                    @Override
                    public byte[] serialize(String t, V value) {
                        return value == null
                                ? null
                                : valueSerializer.serialize(t, part.apply(value));
                    }

                    @Override
                    public byte[] serialize(String t, Headers headers, V value) {
                        return value == null
                                ? null
                                : valueSerializer.serialize(t, headers, part.apply(value));
                    }
                },
                parents);
    }
}
