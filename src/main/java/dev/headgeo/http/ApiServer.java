package dev.headgeo.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.wire.Json;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * headgeo's read-only HTTP surface: health and readiness, the query API over the processor's state
 * (any instance answers any query, with what the reachable instances hold), Prometheus metrics and
 * the dashboard. Start it before the streams (so that a free port is known for
 * {@code application.server}), then {@link #attach} the running service.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String TOKEN_COOKIE = "headgeo_token";

    private final WebServer server;
    private final String token;
    private final PrometheusMeterRegistry registry;
    private final RunMetrics runMetrics;
    private final Routes routes = new Routes();
    private volatile HeadgeoService service;
    private volatile RunViews views;
    private volatile InstanceRouter router;
    private volatile Supplier<String> kafkaProblem = () -> null;
    private volatile dev.headgeo.stream.AlertSettings alertSettings = dev.headgeo.stream.AlertSettings.defaults();

    private ApiServer(HttpAddress address, String token, PrometheusMeterRegistry registry, MetricsLimits metricsLimits) {
        this.token = token == null || token.isBlank() ? null : token;
        this.registry = registry;
        this.runMetrics = new RunMetrics(registry, metricsLimits);
        Gauge.builder("headgeo.ready", this, s -> s.notReadyCause() == null ? 1 : 0)
                .description("1 exactly when GET /ready answers 200: Kafka Streams RUNNING and Kafka reachable").register(registry);
        routes.open("/health", call -> Reply.ok(Json.MAPPER.createObjectNode().put("status", "UP")))
                .open("/ready", call -> ready())
                .get("/metrics", call -> metrics())
                .get("/", call -> asset("dashboard/index.html"))
                .get("/assets/app.js", call -> asset("dashboard/app.js"))
                .get("/assets/app.css", call -> asset("dashboard/app.css"))
                .get("/assets/echarts.min.js", call -> asset("/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js"))
                .get("/api/runs", this::runs)
                .get("/api/alerts", this::alerts)
                .get("/api/thresholds", call -> Reply.ok(thresholds(alertSettings)))
                .get("/api/runs/{run}", call -> findRun(call, "no run " + call.path("run"), v -> v.run(call.path("run"))))
                .get("/api/runs/{run}/checkpoints/{checkpoint}", this::report)
                .get("/api/runs/{run}/export", this::export);
        this.server = WebServer.start(address, this::answer);
    }

    /**
     * Binds and starts serving; answers 503 on the API until {@link #attach}.
     *
     * @param token bearer token required on every path but /health and /ready; null for none
     * @throws IllegalStateException with one line when the address cannot be bound
     */
    public static ApiServer start(HttpAddress address, String token, PrometheusMeterRegistry registry) {
        return start(address, token, registry, MetricsLimits.DEFAULT);
    }

    /** The same, with bounds on the per-run series of {@code /metrics}. */
    public static ApiServer start(HttpAddress address, String token, PrometheusMeterRegistry registry, MetricsLimits metricsLimits) {
        return new ApiServer(address, token, registry, metricsLimits);
    }

    /** The port actually bound (for port 0). */
    public int port() {
        return server.port();
    }

    /**
     * Serves the API from {@code service}'s stores; {@code self} is this instance's {@code application.server}.
     *
     * @param kafkaProblem why Kafka counts as unreachable now (one line), or null while it answers
     */
    public void attach(HeadgeoService service, HostInfo self, Supplier<String> kafkaProblem, dev.headgeo.stream.AlertSettings alerts) {
        this.alertSettings = alerts;
        this.router = new InstanceRouter(service.streams(), self, token);
        this.kafkaProblem = kafkaProblem;
        this.service = service;
        // last: a set views field is what lets the API routes in, so everything they use is there before it
        this.views = new RunViews(service.streams());
    }

    /**
     * The verdict and stability thresholds the analysis uses and this instance's forecast settings, so that
     * the dashboard draws them (and says why a forecast was withheld) instead of copying them.
     */
    static com.fasterxml.jackson.databind.node.ObjectNode thresholds(dev.headgeo.stream.AlertSettings alerts) {
        var t = Json.MAPPER.createObjectNode();
        t.putObject("verdict").put("supported_below", dev.headgeo.analysis.Verdict.SUPPORTED_BELOW)
                .put("partially_supported_below", dev.headgeo.analysis.Verdict.PARTIALLY_SUPPORTED_BELOW);
        t.putObject("shape_stability").put("very_stable_above", dev.headgeo.analysis.Stability.VERY_STABLE_ABOVE)
                .put("approximately_stable_above", dev.headgeo.analysis.Stability.APPROXIMATELY_STABLE_ABOVE);
        t.putObject("forecast").put("window", alerts.forecastWindow()).put("horizon", alerts.forecastHorizon())
                .put("min_agreement", alerts.forecastAgreement());
        return t;
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

    private Reply answer(String method, String rawPath, String rawQuery, Function<String, String> header) {
        try {
            Routes.Match match = routes.match(rawPath);
            if (match == null) {
                return Reply.error(404, "no such path: " + rawPath);
            }
            HttpCall call = new HttpCall(rawPath + (rawQuery == null ? "" : "?" + rawQuery), match.params(), HttpCall.parseQuery(rawQuery),
                    header);
            String cookie = null;
            if (!match.route().open()) {
                Auth auth = authorize(call);
                if (!auth.ok()) {
                    return Reply.error(401, "missing or wrong bearer token");
                }
                cookie = auth.cookie();
            }
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
        ObjectNode body = Json.MAPPER.createObjectNode().put("status", cause == null ? "READY" : "NOT_READY")
                .put("streams_state", streamsState().name());
        if (cause != null) {
            body.put("cause", cause);
        }
        return Reply.json(cause == null ? 200 : 503, body);
    }

    private Reply metrics() {
        refreshMetrics();
        return new Reply(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private RunViews views() {
        RunViews v = views;
        if (v == null) {
            throw HttpError.unavailable("the processor is starting");
        }
        return v;
    }

    private static boolean local(HttpCall call) {
        return call.header(InstanceRouter.LOCAL_HEADER) != null;
    }

    /** Marks which copy a summary came from while instances merge them; not part of the answer. */
    private static final String COPY_FIELD = "copy";

    /**
     * {@code /api/runs}: every run any reachable instance holds, one entry each: the active copy (a standby
     * copy may lag behind, for example in its open checkpoints), else the most advanced standby copy.
     */
    private Reply runs(HttpCall call) {
        RunViews v = views();
        if (local(call)) {
            return Reply.ok(withArray("runs", ownSummaries(v)));
        }
        List<String> missing = new ArrayList<>();
        List<JsonNode> all = new ArrayList<>(Objects.requireNonNullElse(mine(() -> ownSummaries(v), missing), List.of()));
        InstanceRouter.Gathered others = router.askOthers("/api/runs");
        missing.addAll(others.missing());
        for (InstanceRouter.Answer a : others.answers()) {
            if (a.status() == 200) {
                parse(a.body()).path("runs").forEach(all::add);
            }
        }
        Map<String, JsonNode> best = new LinkedHashMap<>();
        Comparator<JsonNode> preferred = Comparator.comparing((JsonNode r) -> r.path(COPY_FIELD).asText().equals("active"))
                .thenComparingLong(r -> r.path("last_checkpoint").asLong())
                .thenComparingLong(r -> r.path("checkpoints").asLong()).thenComparingLong(r -> r.path("last_report_at").asLong());
        for (JsonNode r : all) {
            best.merge(r.path("run_id").asText(), r, (x, y) -> preferred.compare(y, x) > 0 ? y : x);
        }
        List<JsonNode> sorted = new ArrayList<>();
        for (JsonNode r : best.values()) {
            ObjectNode copy = r.deepCopy();
            copy.remove(COPY_FIELD);
            sorted.add(copy);
        }
        sorted.sort(Comparator.comparing(r -> r.path("run_id").asText()));
        return Reply.ok(withMissing(withArray("runs", sorted), missing));
    }

    /** This instance's run summaries, each marked as its active or a standby copy. */
    private static List<ObjectNode> ownSummaries(RunViews v) {
        List<ObjectNode> out = new ArrayList<>();
        java.util.Set<String> active = new java.util.HashSet<>();
        for (ObjectNode s : v.runSummaries(RunViews.Scope.ACTIVE)) {
            active.add(s.path("run_id").asText());
            out.add(s.put(COPY_FIELD, "active"));
        }
        for (ObjectNode s : v.runSummaries(RunViews.Scope.ANY)) {
            if (!active.contains(s.path("run_id").asText())) {
                out.add(s.put(COPY_FIELD, "standby"));
            }
        }
        return out;
    }

    /** {@code /api/alerts?run=&limit=&before=}: newest first across instances, one page. */
    private Reply alerts(HttpCall call) {
        RunViews v = views();
        int limit = call.queryInt("limit", AlertPages.DEFAULT_LIMIT, 1, AlertPages.MAX_LIMIT);
        AlertPages.Cursor before = AlertPages.parse(call.query("before"));
        String run = call.query("run");
        List<String> missing = new ArrayList<>();
        List<JsonNode> kept = new ArrayList<>(Objects.requireNonNullElse(mine(() -> v.alerts(RunViews.Scope.ANY, run), missing), List.of()));
        AlertPages.Page own = AlertPages.page(kept, before, limit, false);
        if (local(call)) {
            return Reply.ok(page(own, missing));
        }
        List<JsonNode> all = new ArrayList<>(own.alerts());
        boolean full = own.more();
        InstanceRouter.Gathered others = router.askOthers(call.rawPathAndQuery());
        missing.addAll(others.missing());
        for (InstanceRouter.Answer a : others.answers()) {
            if (a.status() == 200) {
                JsonNode body = parse(a.body());
                body.path("alerts").forEach(all::add);
                full |= !body.path("next_before").isNull() && !body.path("next_before").isMissingNode();
            }
        }
        return Reply.ok(page(AlertPages.page(all, before, limit, full), missing));
    }

    private static ObjectNode page(AlertPages.Page page, List<String> missing) {
        ObjectNode out = withArray("alerts", page.alerts());
        String next = page.nextBefore();
        if (next == null) {
            out.putNull("next_before");
        } else {
            out.put("next_before", next);
        }
        return withMissing(out, missing);
    }

    private Reply report(HttpCall call) {
        String run = call.path("run");
        long checkpoint;
        try {
            checkpoint = Long.parseLong(call.path("checkpoint"));
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("checkpoint '" + call.path("checkpoint") + "' is not a number");
        }
        return findRun(call, "no kept report of checkpoint " + checkpoint + " of run " + run, v -> v.report(run, checkpoint));
    }

    /**
     * {@code /api/runs/{run}/export?format=csv|jsonl}: the kept history found like the run (its owner's copy),
     * formatted here; between instances it travels as {@link RunViews#history}'s JSON.
     */
    private Reply export(HttpCall call) {
        String run = call.path("run");
        RunExport.Format format = RunExport.Format.parse(call.query("format"));
        Reply found = findRun(call, "no kept history of run " + run, v -> v.history(run));
        if (local(call) || found.status() != 200) {
            return found;
        }
        JsonNode history = parse(new String(found.body(), java.nio.charset.StandardCharsets.UTF_8));
        String fileName = run.replaceAll("[^A-Za-z0-9._-]", "_") + "." + format.extension;
        return new Reply(200, format.contentType, RunExport.render(history, format).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Content-Disposition", "attachment; filename=\"" + fileName + "\""));
    }

    /**
     * A run's answer from wherever it is kept: the active copy here, else the active copy on another
     * instance, else a standby copy (here first), so a run answers while its owner fails over.
     */
    private Reply findRun(HttpCall call, String notFound, Function<RunViews, RunViews.Copy> lookup) {
        RunViews.Copy mine;
        List<String> missing = new ArrayList<>();
        if (local(call)) {
            mine = lookup.apply(views());
            if (mine == null) {
                throw HttpError.notFound(notFound);
            }
            return Reply.ok(mine.json()).withHeader(InstanceRouter.COPY_HEADER, mine.active() ? "active" : "standby");
        }
        mine = mine(() -> lookup.apply(views()), missing);
        if (mine != null && mine.active()) {
            return Reply.ok(mine.json());
        }
        InstanceRouter.Gathered others = router.askOthers(call.rawPathAndQuery());
        missing.addAll(others.missing());
        InstanceRouter.Answer standby = null;
        for (InstanceRouter.Answer a : others.answers()) {
            if (a.status() == 200 && !a.standby()) {
                return Reply.raw(200, Reply.JSON, a.body());
            }
            if (a.status() == 200 && standby == null) {
                standby = a;
            }
        }
        if (mine != null) {
            return Reply.ok(mine.json());
        }
        if (standby != null) {
            return Reply.raw(200, Reply.JSON, standby.body());
        }
        if (!missing.isEmpty()) {
            return Reply.json(503, withMissing(Reply.errorBody(notFound + " on the instances that answered; retry"), missing));
        }
        throw HttpError.notFound(notFound);
    }

    /**
     * This instance's part of a fan-out: null when it has none or cannot read its stores now, in
     * which case it is one of the missing.
     */
    private static <T> T mine(Supplier<T> read, List<String> missing) {
        try {
            return read.get();
        } catch (HttpError | InvalidStateStoreException e) {
            missing.add("this instance (" + e.getMessage() + ")");
            return null;
        }
    }

    private static ObjectNode withArray(String field, List<? extends JsonNode> items) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode array = out.putArray(field);
        items.forEach(array::add);
        return out;
    }

    private static ObjectNode withMissing(ObjectNode body, List<String> missing) {
        ArrayNode m = body.putArray("missing_instances");
        missing.forEach(m::add);
        return body;
    }

    private static JsonNode parse(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    private void refreshMetrics() {
        if (views == null || streamsState() != KafkaStreams.State.RUNNING) {
            return;
        }
        try {
            runMetrics.refresh(views.runStates(), views.openCheckpoints());
        } catch (HttpError | InvalidStateStoreException e) {
            // a rebalance is under way: keep the last values until the next scrape
        }
    }

    private record Auth(boolean ok, String cookie) {
    }

    /** Bearer header, else {@code ?token=} (then set as a cookie for the page's own requests), else that cookie. */
    private Auth authorize(HttpCall call) {
        if (token == null) {
            return new Auth(true, null);
        }
        String given = null;
        String cookie = null;
        String auth = call.header("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            given = auth.substring("Bearer ".length()).strip();
        }
        if (given == null && call.query("token") != null) {
            given = call.query("token");
            cookie = TOKEN_COOKIE + "=" + URLEncoder.encode(given, StandardCharsets.UTF_8) + "; Path=/; HttpOnly; SameSite=Strict";
        }
        String cookies = call.header("Cookie");
        if (given == null && cookies != null) {
            for (String c : cookies.split(";")) {
                String t = c.strip();
                if (t.startsWith(TOKEN_COOKIE + "=")) {
                    given = HttpCall.decode(t.substring(TOKEN_COOKIE.length() + 1), true);
                }
            }
        }
        boolean ok = given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
        return new Auth(ok, ok ? cookie : null);
    }

    private static Reply asset(String resource) {
        try (InputStream in = ApiServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw HttpError.notFound("missing asset " + resource);
            }
            String type = resource.endsWith(".html") ? "text/html; charset=utf-8"
                    : resource.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            return new Reply(200, type, in.readAllBytes(), Map.of("Cache-Control", resource.contains("echarts") ? "max-age=86400" : "no-cache"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
