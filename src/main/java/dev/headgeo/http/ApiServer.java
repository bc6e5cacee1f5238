package dev.headgeo.http;

import dev.headgeo.analysis.AttentionHealth;
import dev.headgeo.analysis.Stability;
import dev.headgeo.analysis.Verdict;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.http.api.AlertsPage;
import dev.headgeo.http.api.Health;
import dev.headgeo.http.api.Readiness;
import dev.headgeo.http.api.RunDetail;
import dev.headgeo.http.api.RunsPage;
import dev.headgeo.http.api.Thresholds;
import dev.headgeo.stream.AlertSettings;
import dev.headgeo.stream.HeadgeoService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * headgeo's read-only HTTP surface: health and readiness, the query API over the processor's state
 * (any instance answers any query, with what the reachable instances hold; see {@link FanOut}),
 * Prometheus metrics, the dashboard and the OpenAPI document of it all, made from the same route
 * table. Start it before the streams (so that a free port is known for {@code application.server}),
 * then {@link #attach} the running service.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final WebServer server;
    private final TokenAuth auth;
    private final PrometheusMeterRegistry registry;
    private final RunMetrics runMetrics;
    private final RunLookups runLookups;
    private final Routes routes = new Routes();
    private final byte[] openApi;
    private volatile HeadgeoService service;
    private volatile RunViews views;
    private volatile FanOut fanOut;
    private volatile Supplier<String> kafkaProblem = () -> null;
    private volatile AlertSettings alertSettings = AlertSettings.defaults();

    private ApiServer(
            HttpAddress address,
            String token,
            PrometheusMeterRegistry registry,
            MetricsLimits metricsLimits) {
        this.auth = new TokenAuth(token);
        this.registry = registry;
        this.runMetrics = new RunMetrics(registry, metricsLimits);
        this.runLookups = new RunLookups(registry);
        Gauge.builder("headgeo.ready", this, s -> s.notReadyCause() == null ? 1 : 0)
                .description(
                        "1 exactly when GET /ready answers 200: Kafka Streams RUNNING and Kafka"
                                + " reachable")
                .register(registry);
        declare(routes);
        this.openApi = OpenApiDocument.bytes(routes, ApiParams.TOKEN);
        this.server = WebServer.start(address, this::answer);
    }

    private void declare(Routes r) {
        r.open(
                        "/health",
                        Routes.Operation.json("health", "The process answers", Health.class),
                        call -> Reply.ok(Health.UP))
                .open(
                        "/ready",
                        Routes.Operation.json(
                                "ready",
                                "Kafka Streams runs and Kafka answers (else 503 and why)",
                                Readiness.class,
                                503),
                        call -> ready())
                .get(
                        "/metrics",
                        Routes.Operation.text(
                                "metrics", "Prometheus metrics", List.of("text/plain")),
                        call -> metrics())
                .get(
                        "/",
                        Routes.Operation.text(
                                "dashboard", "The dashboard page", List.of("text/html")),
                        call -> StaticAssets.page())
                .get(
                        "/assets/{file}",
                        Routes.Operation.text(
                                        "asset",
                                        "The dashboard's modules and style sheet",
                                        List.of("text/javascript", "text/css"),
                                        404)
                                .with(ApiParams.FILE),
                        call -> StaticAssets.asset(ApiParams.FILE.from(call)))
                .get(
                        "/docs/reference",
                        Routes.Operation.text(
                                "reference",
                                "The reference: commands, topics, schemas, every report field "
                                        + "with its key (Markdown)",
                                List.of("text/plain")),
                        call -> StaticAssets.reference())
                .get(
                        "/api/openapi.json",
                        Routes.Operation.json("openapi", "This document (OpenAPI 3.1)", null),
                        call -> new Reply(200, Reply.JSON, openApi, Map.of()))
                .get(
                        "/api/runs",
                        Routes.Operation.json(
                                "listRuns",
                                "Every run any reachable instance holds",
                                RunsPage.class,
                                503),
                        call -> fanOut().runs(call))
                .get(
                        "/api/alerts",
                        Routes.Operation.json(
                                        "listAlerts",
                                        "Recent alerts, newest first, one page",
                                        AlertsPage.class,
                                        503)
                                .with(ApiParams.ALERTS_OF_RUN, ApiParams.LIMIT, ApiParams.BEFORE),
                        call -> fanOut().alerts(call))
                .get(
                        "/api/thresholds",
                        Routes.Operation.json(
                                "getThresholds",
                                "The verdict and stability bands and the forecast settings",
                                Thresholds.class),
                        call -> Reply.ok(thresholds(alertSettings)))
                .get(
                        "/api/runs/{run}",
                        Routes.Operation.json(
                                        "getRun",
                                        "A run's kept checkpoints, open checkpoints, alerts and"
                                                + " forecast",
                                        RunDetail.class,
                                        404,
                                        503)
                                .with(ApiParams.RUN),
                        this::run)
                .get(
                        "/api/runs/{run}/checkpoints/{checkpoint}",
                        Routes.Operation.json(
                                        "getReport",
                                        "The kept full report of a checkpoint",
                                        CheckpointReport.class,
                                        404,
                                        503)
                                .with(ApiParams.RUN, ApiParams.CHECKPOINT),
                        this::report)
                .get(
                        "/api/runs/{run}/export",
                        Routes.Operation.text(
                                        "exportRun",
                                        "A run's kept history: CSV of every kept checkpoint, or"
                                                + " JSON lines of the kept full reports",
                                        List.of("text/csv", RunExport.Format.JSONL.contentType),
                                        404,
                                        503)
                                .with(ApiParams.RUN, ApiParams.FORMAT),
                        call -> fanOut().export(call));
    }

    /**
     * Binds and starts serving; answers 503 on the API until {@link #attach}.
     *
     * @param token bearer token required on every path but /health and /ready; null for none
     * @throws IllegalStateException with one line when the address cannot be bound
     */
    public static ApiServer start(
            HttpAddress address, String token, PrometheusMeterRegistry registry) {
        return start(address, token, registry, MetricsLimits.DEFAULT);
    }

    /** The same, with bounds on the per-run series of {@code /metrics}. */
    public static ApiServer start(
            HttpAddress address,
            String token,
            PrometheusMeterRegistry registry,
            MetricsLimits metricsLimits) {
        return new ApiServer(address, token, registry, metricsLimits);
    }

    /** The port actually bound (for port 0). */
    public int port() {
        return server.port();
    }

    /**
     * Serves the API from {@code service}'s stores; {@code self} is this instance's {@code
     * application.server}.
     *
     * @param kafkaProblem why Kafka counts as unreachable now (one line), or null while it answers
     */
    public void attach(
            HeadgeoService service,
            HostInfo self,
            Supplier<String> kafkaProblem,
            AlertSettings alerts) {
        this.alertSettings = alerts;
        this.kafkaProblem = kafkaProblem;
        this.service = service;
        RunViews v = new RunViews(service.streams());
        this.views = v;
        // last: a set fanOut is what lets the API routes in, so everything they use is there before
        // it
        this.fanOut =
                new FanOut(
                        () -> v,
                        new InstanceRouter(service.streams(), self, auth.token()),
                        runLookups);
    }

    /**
     * The bands the analysis decides by and this instance's forecast settings, so the dashboard
     * draws them instead of copying them.
     */
    static Thresholds thresholds(AlertSettings alerts) {
        return new Thresholds(
                new Thresholds.VerdictBands(
                        Verdict.SUPPORTED_BELOW, Verdict.PARTIALLY_SUPPORTED_BELOW),
                new Thresholds.StabilityBands(
                        Stability.VERY_STABLE_ABOVE, Stability.APPROXIMATELY_STABLE_ABOVE),
                new Thresholds.ForecastSettings(
                        alerts.forecastWindow(),
                        alerts.forecastHorizon(),
                        alerts.forecastAgreement()),
                List.of(dev.headgeo.avro.Anchor.values()),
                List.of(dev.headgeo.avro.Verdict.values()),
                new Thresholds.HealthLevels(
                        AttentionHealth.COLLAPSED_ENTROPY,
                        AttentionHealth.COLLAPSED_LAYER_FRACTION,
                        AttentionHealth.GROWTH_FACTOR,
                        AttentionHealth.ENTROPY_FALL,
                        AttentionHealth.LOGIT_LEVEL));
    }

    private FanOut fanOut() {
        FanOut f = fanOut;
        if (f == null) {
            throw HttpError.unavailable("the processor is starting");
        }
        return f;
    }

    private KafkaStreams.State streamsState() {
        HeadgeoService s = service;
        return s == null ? KafkaStreams.State.CREATED : s.state();
    }

    /** Null when ready; else why not, in one line. */
    private String notReadyCause() {
        KafkaStreams.State state = streamsState();
        if (state != KafkaStreams.State.RUNNING) {
            return "Kafka Streams is " + state;
        }
        return kafkaProblem.get();
    }

    private Reply answer(
            String method, String rawPath, String rawQuery, Function<String, String> header) {
        try {
            Routes.Match match = routes.match(rawPath);
            if (match == null) {
                return Reply.error(404, "no such path: " + Quote.of(rawPath));
            }
            HttpCall call =
                    new HttpCall(
                            rawPath + (rawQuery == null ? "" : "?" + rawQuery),
                            match.params(),
                            HttpCall.parseQuery(rawQuery),
                            header);
            String cookie = null;
            if (!match.route().open()) {
                TokenAuth.Verdict verdict = auth.check(call);
                if (!verdict.ok()) {
                    return Reply.error(401, "missing or wrong bearer token");
                }
                cookie = verdict.setCookie();
            }
            // every declared parameter read before the handler runs: one that does not pass is a
            // 400 whatever the state
            match.route().operation().params().forEach(p -> p.from(call));
            Reply reply = match.route().handler().handle(call);
            return cookie == null ? reply : reply.withHeader("Set-Cookie", cookie);
        } catch (HttpError e) {
            return Reply.error(e.status(), e.getMessage());
        } catch (InvalidStateStoreException e) {
            return Reply.error(503, "stores not queryable now (rebalancing): " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("HTTP {} failed: {}", rawPath, e.toString());
            return Reply.error(500, "internal error: " + e.getClass().getSimpleName());
        }
    }

    private Reply ready() {
        String cause = notReadyCause();
        return Reply.json(cause == null ? 200 : 503, Readiness.of(streamsState().name(), cause));
    }

    private Reply metrics() {
        refreshMetrics();
        return new Reply(
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape().getBytes(StandardCharsets.UTF_8),
                Map.of());
    }

    private Reply run(HttpCall call) {
        String run = ApiParams.RUN.from(call);
        return fanOut().finder().find(call, run, "no run " + Quote.of(run), v -> v.run(run));
    }

    private Reply report(HttpCall call) {
        String run = ApiParams.RUN.from(call);
        long checkpoint = ApiParams.CHECKPOINT.from(call);
        return fanOut().finder()
                .find(
                        call,
                        run,
                        "no kept report of checkpoint " + checkpoint + " of run " + Quote.of(run),
                        v -> v.report(run, checkpoint));
    }

    private void refreshMetrics() {
        RunViews v = views;
        if (v == null || streamsState() != KafkaStreams.State.RUNNING) {
            return;
        }
        try {
            runMetrics.refresh(v.runStates(), v.openCheckpoints());
        } catch (HttpError | InvalidStateStoreException e) {
            // a rebalance is under way: keep the last values until the next scrape
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
