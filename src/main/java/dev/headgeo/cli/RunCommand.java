package dev.headgeo.cli;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.TrendForecast;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.client.KafkaCheck;
import dev.headgeo.http.HttpAddress;
import dev.headgeo.http.MetricsLimits;
import dev.headgeo.stream.AlertSettings;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.LayerLimits;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.wire.AvroSerde;
import dev.headgeo.wire.Compatibility;
import dev.headgeo.wire.HeadgeoTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "The stream processor: gathers layer records per checkpoint, analyzes, reports, alerts,"
                    + " dead-letters.",
            "Each setting: flag > HEADGEO_<NAME> environment variable > --config file (name=value)"
                    + " > default."
        })
final class RunCommand implements Callable<Integer> {
    @Mixin ConfigFileOption configFile;

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin KafkaClientSettings kafka;

    @Mixin StreamsAppOptions application;

    @Mixin ReportsTopicOption reportsTopic;

    @Mixin AlertsTopicOption alertsTopic;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = HeadgeoTopics.DEFAULT_DEAD_LETTERS,
            description = "Records that could not be used (default: ${DEFAULT-VALUE}).")
    String deadLetterTopic;

    @Option(
            names = "--instance-id",
            description =
                    "Stable id of this instance (static group membership: a restarted instance"
                        + " takes its partitions back at once); default: host name and --state-dir;"
                        + " none without --state-dir.")
    String instanceId;

    @Option(
            names = "--create-topics",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Create missing topics through the Admin API before starting (default:"
                            + " ${DEFAULT-VALUE}); --no-create-topics where topics are provisioned"
                            + " elsewhere.")
    boolean createTopics;

    @Option(
            names = "--primary-anchor",
            defaultValue = StreamSettings.DEFAULT_PRIMARY_ANCHOR,
            description =
                    "Anchor whose verdict is the report's verdict and is watched for flips:"
                            + " ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Anchor primaryAnchor;

    @Option(
            names = "--checkpoint-timeout",
            defaultValue = StreamSettings.DEFAULT_CHECKPOINT_TIMEOUT,
            description =
                    "How long a started checkpoint may wait for its next layer: 30s, 10m, PT10M"
                            + " (default: ${DEFAULT-VALUE}).")
    Duration checkpointTimeout;

    @Option(
            names = "--output-format",
            defaultValue = "avro",
            description =
                    "Value format of reports and alerts: ${COMPLETION-CANDIDATES} (default:"
                            + " ${DEFAULT-VALUE}).")
    AvroSerde.Format outputFormat;

    @Option(
            names = "--upgrade-from",
            paramLabel = "VERSION",
            description =
                    "During a rolling upgrade from release VERSION (0.1, 0.4 or 0.5): write the"
                        + " state and output formats it reads, so old and new instances share the"
                        + " work; bounce every instance again without it once all run this release"
                        + " (default: today's formats).")
    String upgradeFrom;

    @Option(
            names = "--max-layer-bytes",
            defaultValue = StreamSettings.DEFAULT_MAX_LAYER_BYTES,
            description =
                    "Largest accepted layer record, Avro-encoded; larger ones are dead-lettered"
                            + " TOO_LARGE (default: ${DEFAULT-VALUE}).")
    int maxLayerBytes;

    @Option(
            names = "--max-open-layer-bytes",
            defaultValue = StreamSettings.DEFAULT_MAX_OPEN_LAYER_BYTES,
            description =
                    "Bytes of open checkpoints' layers held in memory by this instance; beyond it"
                            + " the longest-quiet one is reported incomplete early (default:"
                            + " ${DEFAULT-VALUE}).")
    long maxOpenLayerBytes;

    @Option(
            names = "--max-layers",
            defaultValue = LayerLimits.DEFAULT_MAX_LAYERS,
            description =
                    "Largest num_layers accepted; larger records are dead-lettered INVALID"
                            + " (default: ${DEFAULT-VALUE}).")
    int maxLayers;

    @Option(
            names = "--max-heads",
            defaultValue = LayerLimits.DEFAULT_MAX_HEADS,
            description = "Largest num_heads accepted (default: ${DEFAULT-VALUE}).")
    int maxHeads;

    @Option(
            names = "--max-singular-values",
            defaultValue = LayerLimits.DEFAULT_MAX_SINGULAR_VALUES,
            description = "Most singular values of one head (default: ${DEFAULT-VALUE}).")
    int maxSingularValues;

    @Option(
            names = "--max-run-id-length",
            defaultValue = LayerLimits.DEFAULT_MAX_RUN_ID_LENGTH,
            description = "Longest run_id in characters (default: ${DEFAULT-VALUE}).")
    int maxRunIdLength;

    @Option(
            names = "--history-size",
            defaultValue = StreamSettings.DEFAULT_HISTORY_SIZE,
            description =
                    "Closed checkpoints remembered per run for flips and late records (default:"
                            + " ${DEFAULT-VALUE}).")
    int historySize;

    @Option(
            names = "--kept-reports",
            defaultValue = StreamSettings.DEFAULT_KEPT_REPORTS,
            description =
                    "Full reports kept per run for the API, the dashboard and export, the newest"
                        + " (default: ${DEFAULT-VALUE}); each takes about 24 x layers x heads x 3"
                        + " bytes.")
    int keptReports;

    @Option(
            names = "--history-retention",
            defaultValue = StreamSettings.DEFAULT_HISTORY_RETENTION,
            description =
                    "A run's history is dropped after this long without a report (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration historyRetention;

    @Option(
            names = "--flip-margin",
            defaultValue = AlertSettings.DEFAULT_FLIP_MARGIN,
            description =
                    "A verdict change counts only when the mean residual is more than this past the"
                            + " boundary (default: ${DEFAULT-VALUE}: off).")
    double flipMargin;

    @Option(
            names = "--flip-confirmations",
            defaultValue = AlertSettings.DEFAULT_FLIP_CONFIRMATIONS,
            description =
                    "Alert a new verdict once it has held for this many complete checkpoints"
                            + " (default: ${DEFAULT-VALUE}: at once).")
    int flipConfirmations;

    @Option(
            names = "--forecast-window",
            defaultValue = AlertSettings.DEFAULT_FORECAST_WINDOW,
            description =
                    "Complete checkpoints the residual trend is drawn through (default:"
                            + " ${DEFAULT-VALUE}).")
    int forecastWindow;

    @Option(
            names = "--forecast-horizon",
            defaultValue = AlertSettings.DEFAULT_FORECAST_HORIZON,
            description =
                    "Checkpoint intervals the trend is extended over for FLIP_FORECAST (default:"
                            + " ${DEFAULT-VALUE}).")
    int forecastHorizon;

    @Option(
            names = "--forecast-agreement",
            defaultValue = AlertSettings.DEFAULT_FORECAST_AGREEMENT,
            description =
                    "Share of pairwise slopes that must agree with the trend for a forecast, 0..1"
                            + " (default: ${DEFAULT-VALUE}).")
    double forecastAgreement;

    @Option(
            names = "--http-address",
            defaultValue = "0.0.0.0:8080",
            description =
                    "HOST:PORT of the HTTP API, metrics and dashboard; port 0 for any free one;"
                            + " none for no server (default: ${DEFAULT-VALUE}).")
    String httpAddress;

    @Option(
            names = "--metrics-max-runs",
            defaultValue = MetricsLimits.DEFAULT_MAX_RUNS,
            description =
                    "Most runs with headgeo_run_* series on this instance's /metrics, the most"
                            + " recently reported first (default: ${DEFAULT-VALUE}).")
    int metricsMaxRuns;

    @Option(
            names = "--metrics-run-window",
            defaultValue = MetricsLimits.DEFAULT_WINDOW,
            description =
                    "Only runs reported within this long get headgeo_run_* series (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration metricsRunWindow;

    @Option(
            names = "--label-tags",
            split = ",",
            paramLabel = "KEY[,KEY…]",
            description =
                    "Run tags that become labels of the headgeo_run_* series (e.g. owner), for"
                            + " routing and silencing in Alertmanager; give forward the same list"
                            + " (default: none).")
    List<String> labelTags = new ArrayList<>();

    @Option(
            names = "--http-token",
            description =
                    "Bearer token required on every HTTP path but /health and /ready (default:"
                            + " none).")
    String httpToken;

    private MetricsLimits metricsLimits() {
        try {
            return new MetricsLimits(
                    Checks.positive("--metrics-max-runs", metricsMaxRuns),
                    Checks.positive("--metrics-run-window", metricsRunWindow),
                    labelTags);
        } catch (IllegalArgumentException e) {
            throw new UserError("--label-tags: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        Compatibility written;
        try {
            written =
                    upgradeFrom == null
                            ? Compatibility.CURRENT
                            : Compatibility.upgradingFrom(Compatibility.Release.parse(upgradeFrom));
        } catch (IllegalArgumentException e) {
            throw new UserError("--upgrade-from " + e.getMessage());
        }
        HeadgeoTopics topics =
                HeadgeoTopics.builder()
                        .layers(application.inputTopic)
                        .reports(reportsTopic.name)
                        .alerts(alertsTopic.name)
                        .deadLetters(deadLetterTopic)
                        .outputFormat(outputFormat)
                        .compatibility(written)
                        .build();
        StreamSettings settings =
                new StreamSettings(
                        primaryAnchor,
                        Checks.positive("--checkpoint-timeout", checkpointTimeout),
                        Checks.positive("--max-layer-bytes", maxLayerBytes),
                        Checks.positive("--max-open-layer-bytes", maxOpenLayerBytes),
                        Checks.positive("--history-size", historySize),
                        Checks.positive("--kept-reports", keptReports),
                        Checks.positive("--history-retention", historyRetention),
                        new AlertSettings(
                                Checks.nonNegative("--flip-margin", flipMargin),
                                Checks.positive("--flip-confirmations", flipConfirmations),
                                Checks.atLeast(
                                        "--forecast-window",
                                        forecastWindow,
                                        TrendForecast.MIN_POINTS),
                                Checks.positive("--forecast-horizon", forecastHorizon),
                                Checks.fraction("--forecast-agreement", forecastAgreement)),
                        new LayerLimits(
                                Checks.positive("--max-layers", maxLayers),
                                Checks.positive("--max-heads", maxHeads),
                                Checks.positive("--max-singular-values", maxSingularValues),
                                Checks.positive("--max-run-id-length", maxRunIdLength)));
        Properties props =
                HeadgeoStreamsConfig.of(
                        kafka.bootstrapServers,
                        application.applicationId,
                        application.stateDir,
                        topics,
                        kafka.passThrough());
        // static membership needs an id that is the same after a restart and differs between
        // instances: the
        // state directory is both; without one (Kafka Streams' shared default) there is no safe
        // default
        String id =
                instanceId != null
                        ? instanceId
                        : application.stateDir != null
                                ? InstanceIds.derive(application.stateDir)
                                : null;
        if (id != null) {
            props.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id);
        }

        HttpAddress http;
        try {
            http = HttpAddress.parse(httpAddress);
        } catch (IllegalArgumentException e) {
            throw new UserError("--http-address " + e.getMessage());
        }
        ProcessorApp app;
        try {
            KafkaCheck.check(props, createTopics ? List.of() : topics.names());
            app =
                    ProcessorApp.start(
                            props,
                            topics,
                            settings,
                            createTopics,
                            http,
                            httpToken,
                            metricsLimits());
        } catch (IllegalStateException | KafkaException e) {
            throw new UserError(e.getMessage());
        }
        ShutdownLatch stopped =
                ShutdownLatch.onSignal(
                        "headgeo-shutdown",
                        () -> {
                            LOG.info("shutting down");
                            app.close();
                            LOG.info("stopped");
                        });
        boolean announced = false;
        while (!stopped.await(1)) {
            KafkaStreams.State state = app.state();
            if (state == KafkaStreams.State.ERROR
                    || state == KafkaStreams.State.NOT_RUNNING
                    || state == KafkaStreams.State.PENDING_ERROR) {
                String cause = app.service().fatalCause();
                app.close();
                throw new Failure(
                        "stopped: " + (cause == null ? "Kafka Streams is " + state : cause));
            }
            if (!announced && state == KafkaStreams.State.RUNNING) {
                announced = true;
                LOG.info(
                        "ready: {}; bootstrap={} application-id={} instance-id={} state-dir={}"
                                + " topics={} output={} writing={} primary-anchor={}"
                                + " checkpoint-timeout={} http-token={} kafka={}",
                        app.httpUrl() == null
                                ? "no HTTP server"
                                : "dashboard, API and metrics at " + app.httpUrl(),
                        kafka.bootstrapServers,
                        application.applicationId,
                        props.getOrDefault(
                                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                                "none (dynamic membership)"),
                        application.stateDir == null
                                ? "(Kafka Streams' default)"
                                : application.stateDir,
                        topics.names(),
                        outputFormat,
                        written,
                        primaryAnchor,
                        checkpointTimeout,
                        httpToken == null ? "none" : "****",
                        Secrets.masked(kafka.passThrough()));
            }
        }
        return 0;
    }
}
