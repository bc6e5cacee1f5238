package dev.headgeo.stream;

import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.avro.RunState;
import dev.headgeo.wire.AvroSerde;
import dev.headgeo.wire.HeadgeoTopics;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * headgeo's topology:
 *
 * <pre>
 * layers-source (headgeo.layers, key run_id)
 *   └─ gather-layers   [checkpoint-layers, open-checkpoints, run-history]   time-out punctuator
 *        └─ analyze-checkpoint
 *             ├─ reports-sink (headgeo.reports)
 *             ├─ track-verdicts   [run-history]
 *             │    ├─ alerts-sink (headgeo.alerts)
 *             │    └─ remember-runs (its alerts)
 *             └─ remember-runs   [run-state, checkpoint-summaries, recent-reports]   (interactive queries)
 * records it cannot use ─▶ headgeo.dead-letters (exception handlers, KIP-1034)
 * </pre>
 *
 * The input is keyed by run_id, so a run's layers, checkpoints and history live in one task and
 * nothing is repartitioned.
 */
public final class HeadgeoTopology {
    public static final String SOURCE = "layers-source";
    public static final String GATHER = "gather-layers";
    public static final String ANALYZE = "analyze-checkpoint";
    public static final String TRACK = "track-verdicts";
    public static final String REPORTS_SINK = "reports-sink";
    public static final String ALERTS_SINK = "alerts-sink";
    public static final String REMEMBER = "remember-runs";
    public static final String LAYERS_STORE = "checkpoint-layers";
    public static final String OPEN_CHECKPOINTS_STORE = "open-checkpoints";
    public static final String RUN_HISTORY_STORE = "run-history";
    public static final String RUN_STATE_STORE = "run-state";
    public static final String CHECKPOINT_SUMMARIES_STORE = "checkpoint-summaries";
    public static final String RECENT_REPORTS_STORE = "recent-reports";

    /**
     * The layers' changelog in 64 MiB segments instead of 1 GiB: only closed segments are compacted,
     * so a restart replays at most about one segment beyond the open checkpoints' layers.
     */
    static final Map<String, String> LAYERS_CHANGELOG_CONFIG = Map.of(
            TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));

    private HeadgeoTopology() {
    }

    public static Topology build(HeadgeoTopics topics, StreamSettings settings) {
        return build(topics, settings, HeadgeoMetrics.unregistered());
    }

    public static Topology build(HeadgeoTopics topics, StreamSettings settings, HeadgeoMetrics metrics) {
        AvroSerde.Format stored = AvroSerde.Format.avro;
        Topology topology = new Topology();
        topology.addSource(SOURCE, topics.layers().keySerde().deserializer(),
                new ReceivedLayerDeserializer(topics.layers().valueSerde().deserializer(), settings.maxLayerBytes()),
                topics.layers().name());
        OpenLayerBudget openLayers = new OpenLayerBudget(settings.maxOpenLayerBytes());
        topology.addProcessor(GATHER, () -> new GatherLayersProcessor(settings, openLayers), SOURCE);
        topology.addProcessor(ANALYZE, () -> new AnalyzeCheckpointProcessor(settings.primaryAnchor(), metrics), GATHER);
        topology.addSink(REPORTS_SINK, topics.reports().name(), topics.reports().keySerde().serializer(),
                topics.reports().valueSerde().serializer(), ANALYZE);
        topology.addProcessor(TRACK, () -> new TrackVerdictsProcessor(settings, metrics), ANALYZE);
        topology.addSink(ALERTS_SINK, topics.alerts().name(), topics.alerts().keySerde().serializer(),
                topics.alerts().valueSerde().serializer(), TRACK);
        topology.addProcessor(REMEMBER, () -> new RememberRunsProcessor(settings), ANALYZE, TRACK);

        // in memory: layers are 99 % of the state's bytes and live seconds (written once, read and deleted
        // at completion), which RocksDB turned into memtable flushes and compactions; the changelog
        // still restores them
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LAYERS_STORE),
                Serdes.String(), Serdes.ByteArray()).withLoggingEnabled(LAYERS_CHANGELOG_CONFIG), GATHER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OPEN_CHECKPOINTS_STORE),
                Serdes.String(), new AvroSerde<OpenCheckpoint>(OpenCheckpoint.getClassSchema(), stored)), GATHER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_HISTORY_STORE),
                Serdes.String(), new AvroSerde<RunHistory>(RunHistory.getClassSchema(), stored)), GATHER, TRACK);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_STATE_STORE),
                Serdes.String(), new AvroSerde<RunState>(RunState.getClassSchema(), stored)), REMEMBER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CHECKPOINT_SUMMARIES_STORE),
                Serdes.String(), new AvroSerde<CheckpointSummary>(CheckpointSummary.getClassSchema(), stored)), REMEMBER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RECENT_REPORTS_STORE),
                Serdes.String(), new AvroSerde<CheckpointReport>(CheckpointReport.getClassSchema(), stored)), REMEMBER);
        return topology;
    }
}
