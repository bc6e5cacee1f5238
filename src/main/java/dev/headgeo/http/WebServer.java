package dev.headgeo.http;

import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty 12 (core API, no servlets) set up for a service that slow or many clients must not stop:
 * NIO connectors park a half-sent request without a thread, an idle time-out closes it (and {@link
 * SlowHeaderGuard} one that trickles its headers in), a bounded pool and queue serve the rest,
 * headers and bodies are size-limited, and every answer Jetty makes itself (a bad URI, headers too
 * large) is a JSON error like headgeo's own.
 */
final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

    /** A connection that sends nothing (also mid-header) for this long is closed. */
    static final long IDLE_TIMEOUT_MS = 10_000;

    private static final int MAX_THREADS = 32;
    private static final int MIN_THREADS = 4;
    private static final int MAX_CONNECTIONS = 1024;

    /**
     * Room for a job per connection (HTTP/1.1 asks one thing at a time per connection), so the pool
     * never rejects one, which Jetty answers by closing the connection (an empty reply); what it
     * holds is bounded by the connection limit.
     */
    private static final int QUEUE = 2 * MAX_CONNECTIONS;

    /**
     * Requests answered at once, besides the probes: half the threads, so probes and refusals
     * always find one.
     */
    static final int MAX_CONCURRENT_REQUESTS = MAX_THREADS / 2;

    /** Paths answered even in overload: the liveness and readiness probes. */
    private static final java.util.Set<String> PROBES = java.util.Set.of("/health", "/ready");

    static final int MAX_HEADER_BYTES = 16 * 1024;

    /** GET only: a request body is never needed. */
    static final long MAX_REQUEST_BODY_BYTES = 4096;

    /** headgeo's side: answers a GET/HEAD (never throws for a bad request: that is a Reply too). */
    interface Dispatcher {
        Reply answer(
                String method,
                String rawPath,
                String rawQuery,
                java.util.function.Function<String, String> header);
    }

    private final Server server;
    private final ServerConnector connector;

    private WebServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * @throws IllegalStateException with one line when the address cannot be bound
     */
    static WebServer start(HttpAddress address, Dispatcher dispatcher) {
        return start(address, dispatcher, SlowHeaderGuard.WINDOW_MS);
    }

    /** The same, looking for trickled headers every {@code headerWindowMs} (tests shorten it). */
    static WebServer start(HttpAddress address, Dispatcher dispatcher, long headerWindowMs) {
        QueuedThreadPool pool =
                new QueuedThreadPool(
                        MAX_THREADS, MIN_THREADS, 60_000, new BlockingArrayQueue<>(QUEUE));
        pool.setName("headgeo-http");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendDateHeader(false);
        config.setRequestHeaderSize(MAX_HEADER_BYTES);
        // run ids are free text: an encoded '/' or '%' in a path segment is data, decoded by the
        // routes themselves
        config.setUriCompliance(
                UriCompliance.DEFAULT.with(
                        "headgeo-run-ids",
                        UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                        UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                        UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT));
        ServerConnector connector =
                new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost(address.host());
        connector.setPort(address.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        connector.setReuseAddress(true);
        connector.addEventListener(new SlowHeaderGuard(connector.getScheduler(), headerWindowMs));
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        server.setErrorHandler(new JsonErrorHandler());
        SizeLimitHandler limit = new SizeLimitHandler(MAX_REQUEST_BODY_BYTES, -1);
        limit.setHandler(new Dispatch(dispatcher, new LoadShedding(MAX_CONCURRENT_REQUESTS)));
        server.setHandler(limit);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // nothing more to release
            }
            String why =
                    e.getCause() != null
                                    && e.getMessage() != null
                                    && e.getMessage().startsWith("Failed to bind")
                            ? e.getCause().getMessage()
                            : e.getMessage();
            throw new IllegalStateException(
                    "cannot serve HTTP on " + address.host() + ":" + address.port() + ": " + why);
        }
        return new WebServer(server, connector);
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("HTTP server stop: {}", e.toString());
        }
    }

    private static final class Dispatch extends Handler.Abstract {
        private final Dispatcher dispatcher;
        private final LoadShedding shedding;

        Dispatch(Dispatcher dispatcher, LoadShedding shedding) {
            this.dispatcher = dispatcher;
            this.shedding = shedding;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String method = request.getMethod();
            Reply reply;
            if (!method.equals("GET") && !method.equals("HEAD")) {
                reply = Reply.error(405, "read-only: only GET").withHeader("Allow", "GET, HEAD");
            } else if (PROBES.contains(request.getHttpURI().getPath())) {
                reply = answer(request, method);
            } else if (shedding.tryEnter()) {
                try {
                    reply = answer(request, method);
                } finally {
                    shedding.exit();
                }
            } else {
                reply = LoadShedding.busy();
            }
            response.setStatus(reply.status());
            HttpFields.Mutable headers = response.getHeaders();
            headers.put(HttpHeader.CONTENT_TYPE, reply.contentType());
            SecurityHeaders.addTo(headers);
            for (Map.Entry<String, String> h : reply.headers().entrySet()) {
                headers.add(h.getKey(), h.getValue());
            }
            if (reply.streamed() != null && method.equals("HEAD")) {
                try {
                    reply.streamed()
                            .writeTo(
                                    java.io.OutputStream
                                            .nullOutputStream()); // what it holds (a permit, an
                    // iterator) is let go
                } catch (Exception e) {
                    LOG.debug("HTTP HEAD {}: {}", request.getHttpURI().getPath(), e.toString());
                }
                response.write(true, ByteBuffer.allocate(0), callback);
                return true;
            }
            if (reply.streamed() != null) {
                // written as it is made (chunked): only a buffer's worth is held at a time
                try (java.io.OutputStream out =
                        org.eclipse.jetty.io.Content.Sink.asOutputStream(response)) {
                    reply.streamed().writeTo(out);
                } catch (Exception e) {
                    LOG.debug(
                            "HTTP {} ended early: {}",
                            request.getHttpURI().getPath(),
                            e.toString());
                    callback.failed(e);
                    return true;
                }
                callback.succeeded();
                return true;
            }
            headers.put(HttpHeader.CONTENT_LENGTH, reply.body().length);
            response.write(
                    true,
                    method.equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(reply.body()),
                    callback);
            return true;
        }

        private Reply answer(Request request, String method) {
            return dispatcher.answer(
                    method,
                    request.getHttpURI().getPath(),
                    request.getHttpURI().getQuery(),
                    name -> request.getHeaders().get(name));
        }
    }

    /**
     * Jetty's own errors (400 bad URI, 431 headers too large, 413, 500) as {@code {"error": …}},
     * never HTML.
     */
    private static final class JsonErrorHandler extends ErrorHandler {
        @Override
        protected void generateResponse(
                Request request,
                Response response,
                int code,
                String message,
                Throwable cause,
                Callback callback) {
            byte[] body = body(code, message);
            SecurityHeaders.addTo(response.getHeaders());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Reply.JSON);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(new HttpField(HttpHeader.CONTENT_TYPE, Reply.JSON));
            SecurityHeaders.addTo(fields);
            return ByteBuffer.wrap(body(status, reason));
        }

        private static byte[] body(int code, String message) {
            String text =
                    message == null || message.isBlank()
                            ? org.eclipse.jetty.http.HttpStatus.getMessage(code)
                            : message;
            return dev.headgeo.http.api.ApiJson.bytes(new dev.headgeo.http.api.ApiError(text));
        }
    }
}
