package dev.headgeo.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.IntUnaryOperator;

/**
 * A local HTTP endpoint that records every POST body and answers with a status chosen per request
 * (1st, 2nd, …).
 */
public final class Receiver implements AutoCloseable {
    /** A status of this value makes the receiver hold the request without answering. */
    public static final int HANG = -1;

    private final HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private volatile IntUnaryOperator statusOfRequest;

    public Receiver(IntUnaryOperator statusOfRequest) throws IOException {
        this.statusOfRequest = statusOfRequest;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int n;
        synchronized (this) {
            bodies.add(body);
            paths.add(exchange.getRequestURI().getPath());
            n = bodies.size();
        }
        int status = statusOfRequest.applyAsInt(n);
        if (status == HANG) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        byte[] answer = (status / 100 == 2 ? "ok" : "not now").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    public void answer(IntUnaryOperator statusOfRequest) {
        this.statusOfRequest = statusOfRequest;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Every body received, in order (retries included). */
    public List<String> bodies() {
        return List.copyOf(bodies);
    }

    public List<String> paths() {
        return List.copyOf(paths);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
