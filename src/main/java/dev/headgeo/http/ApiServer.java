package dev.headgeo.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.wire.Json;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * headgeo's read-only HTTP surface: health and readiness, the query API over the processor's state
 * (any instance answers any query), Prometheus metrics and the dashboard. The JDK's own HTTP server
 * is enough for a handful of GET routes polled by a page and scraped by Prometheus; it adds no
 * dependency next to Kafka's. Start it before the streams (so that a free port is known for
 * {@code application.server}), then {@link #attach} the running service.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String TOKEN_COOKIE = "headgeo_token";
    private static final Map<String, String> ASSETS = Map.of(
            "/", "dashboard/index.html",
            "/assets/app.js", "dashboard/app.js",
            "/assets/app.css", "dashboard/app.css",
            "/assets/echarts.min.js", "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js");

    private final HttpServer server;
    private final ExecutorService executor;
    private final String token;
    private final PrometheusMeterRegistry registry;
    private final RunMetrics runMetrics;
    private final AtomicLong openCheckpoints = new AtomicLong();
    private volatile HeadgeoService service;
    private volatile RunViews views;
    private volatile InstanceRouter router;

    private ApiServer(HttpServer server, ExecutorService executor, String token, PrometheusMeterRegistry registry) {
        this.server = server;
        this.executor = executor;
        this.token = token == null || token.isBlank() ? null : token;
        this.registry = registry;
        this.runMetrics = new RunMetrics(registry);
        Gauge.builder("headgeo.ready", this, s -> s.streamsState() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while Kafka Streams is RUNNING").register(registry);
        Gauge.builder("headgeo.open.checkpoints", openCheckpoints, AtomicLong::get)
                .description("Checkpoints whose layers are still arriving, on this instance").register(registry);
    }

    /**
     * Binds and starts serving; answers 503 on the API until {@link #attach}.
     *
     * @param token bearer token required on every path but /health and /ready; null for none
     * @throws IllegalStateException with one line when the address cannot be bound
     */
    public static ApiServer start(HttpAddress address, String token, PrometheusMeterRegistry registry) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 50);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve HTTP on " + address.host() + ":" + address.port() + ": " + e.getMessage());
        }
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "headgeo-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        ApiServer api = new ApiServer(server, executor, token, registry);
        server.createContext("/", api::handle);
        server.start();
        return api;
    }

    /** The port actually bound (for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Serves the API from {@code service}'s stores; {@code self} is this instance's {@code application.server}. */
    public void attach(HeadgeoService service, HostInfo self) {
        this.views = new RunViews(service.streams());
        this.router = new InstanceRouter(service.streams(), self, token);
        this.service = service;
    }

    private KafkaStreams.State streamsState() {
        HeadgeoService s = service;
        return s == null ? KafkaStreams.State.CREATED : s.state();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                sendJson(exchange, 405, error("read-only: only GET"));
                return;
            }
            if (path.equals("/health")) {
                sendJson(exchange, 200, Json.MAPPER.createObjectNode().put("status", "UP"));
                return;
            }
            if (path.equals("/ready")) {
                KafkaStreams.State state = streamsState();
                boolean ready = state == KafkaStreams.State.RUNNING;
                sendJson(exchange, ready ? 200 : 503, Json.MAPPER.createObjectNode()
                        .put("status", ready ? "READY" : "NOT_READY").put("streams_state", state.name()));
                return;
            }
            if (!authorized(exchange)) {
                sendJson(exchange, 401, error("missing or wrong bearer token"));
                return;
            }
            route(exchange, path);
        } catch (InstanceRouter.Unavailable | InvalidStateStoreException e) {
            sendJson(exchange, 503, error(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("HTTP {} failed: {}", exchange.getRequestURI().getRawPath(), e.toString());
            sendJson(exchange, 500, error("internal error: " + e.getClass().getSimpleName()));
        }
    }

    private void route(HttpExchange exchange, String path) throws IOException {
        if (path.equals("/metrics")) {
            refreshMetrics();
            send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8));
            return;
        }
        String asset = ASSETS.get(path);
        if (asset != null) {
            sendAsset(exchange, asset);
            return;
        }
        List<String> parts = segments(path);
        if (parts.size() < 2 || !parts.get(0).equals("api")) {
            sendJson(exchange, 404, error("no such path: " + path));
            return;
        }
        if (views == null) {
            sendJson(exchange, 503, error("the processor is starting"));
            return;
        }
        boolean local = exchange.getRequestHeaders().containsKey(InstanceRouter.LOCAL_HEADER);
        if (parts.size() == 2 && parts.get(1).equals("runs")) {
            sendJson(exchange, 200, Json.MAPPER.createObjectNode().set("runs", everywhere(local, "/api/runs", "runs",
                    views.runSummaries(), Comparator.comparing(n -> n.get("run_id").asText()))));
        } else if (parts.size() == 2 && parts.get(1).equals("alerts")) {
            sendJson(exchange, 200, Json.MAPPER.createObjectNode().set("alerts", everywhere(local, "/api/alerts", "alerts",
                    views.alerts(), Comparator.comparing((JsonNode n) -> n.get("raised_at").asLong()).reversed())));
        } else if (parts.size() >= 3 && parts.get(1).equals("runs")) {
            String runId = parts.get(2);
            HostInfo owner = local ? null : router.ownerOf(runId);
            if (owner != null) {
                InstanceRouter.Answer a = router.ask(owner, exchange.getRequestURI().getRawPath());
                send(exchange, a.status(), "application/json", a.body().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (parts.size() == 3) {
                ObjectNode run = views.run(runId);
                sendJson(exchange, run == null ? 404 : 200, run == null ? error("no run " + runId) : run);
            } else if (parts.size() == 5 && parts.get(3).equals("checkpoints")) {
                long checkpoint;
                try {
                    checkpoint = Long.parseLong(parts.get(4));
                } catch (NumberFormatException e) {
                    sendJson(exchange, 400, error("checkpoint '" + parts.get(4) + "' is not a number"));
                    return;
                }
                ObjectNode report = views.report(runId, checkpoint);
                sendJson(exchange, report == null ? 404 : 200,
                        report == null ? error("no kept report of checkpoint " + checkpoint + " of run " + runId) : report);
            } else {
                sendJson(exchange, 404, error("no such path: " + path));
            }
        } else {
            sendJson(exchange, 404, error("no such path: " + path));
        }
    }

    /** This instance's items, and unless {@code local}, every other instance's, sorted. */
    private ArrayNode everywhere(boolean local, String path, String field, List<ObjectNode> mine, Comparator<JsonNode> order) {
        List<JsonNode> all = new ArrayList<>(mine);
        if (!local) {
            for (HostInfo other : router.others()) {
                router.askJson(other, path).get(field).forEach(all::add);
            }
        }
        all.sort(order);
        ArrayNode out = Json.MAPPER.createArrayNode();
        all.forEach(out::add);
        return out;
    }

    private void refreshMetrics() {
        if (views == null || streamsState() != KafkaStreams.State.RUNNING) {
            return;
        }
        try {
            runMetrics.refresh(views.runStates());
            openCheckpoints.set(views.openCheckpoints());
        } catch (InvalidStateStoreException e) {
            // a rebalance is under way: keep the last values until the next scrape
        }
    }

    private boolean authorized(HttpExchange exchange) {
        if (token == null) {
            return true;
        }
        String given = null;
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            given = auth.substring("Bearer ".length()).strip();
        }
        String query = exchange.getRequestURI().getRawQuery();
        if (given == null && query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("token=")) {
                    given = URLDecoder.decode(pair.substring("token=".length()), StandardCharsets.UTF_8);
                    // the page's own requests then carry the token as a cookie
                    exchange.getResponseHeaders().add("Set-Cookie", TOKEN_COOKIE + "=" + URLEncoder.encode(given, StandardCharsets.UTF_8)
                            + "; Path=/; HttpOnly; SameSite=Strict");
                }
            }
        }
        String cookies = exchange.getRequestHeaders().getFirst("Cookie");
        if (given == null && cookies != null) {
            for (String c : cookies.split(";")) {
                String t = c.strip();
                if (t.startsWith(TOKEN_COOKIE + "=")) {
                    given = URLDecoder.decode(t.substring(TOKEN_COOKIE.length() + 1), StandardCharsets.UTF_8);
                }
            }
        }
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    /** Path segments, percent-decoded ({@code +} stays a plus sign in a path). */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static ObjectNode error(String message) {
        return Json.MAPPER.createObjectNode().put("error", message);
    }

    private void sendAsset(HttpExchange exchange, String resource) throws IOException {
        try (InputStream in = ApiServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                sendJson(exchange, 404, error("missing asset " + resource));
                return;
            }
            String type = resource.endsWith(".html") ? "text/html; charset=utf-8"
                    : resource.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            exchange.getResponseHeaders().add("Cache-Control", resource.contains("echarts") ? "max-age=86400" : "no-cache");
            send(exchange, 200, type, in.readAllBytes());
        }
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        try {
            send(exchange, status, "application/json", Json.MAPPER.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
