package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.http.api.Health;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The web server alone (no Kafka): the headers every answer carries and the cut of a client that
 * trickles its headers.
 */
class WebServerTest {
    private static final long WINDOW_MS = 300;
    private WebServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        server =
                WebServer.start(
                        new HttpAddress("127.0.0.1", 0),
                        (method, path, query, header) ->
                                path.equals("/ok")
                                        ? Reply.ok(Health.UP)
                                        : Reply.error(404, "no such path"),
                        WINDOW_MS);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeadersTheOwnErrorsOfJettyToo() throws Exception {
        List<HttpResponse<String>> answers =
                List.of(
                        send(HttpRequest.newBuilder(uri("/ok"))),
                        send(HttpRequest.newBuilder(uri("/missing"))),
                        send(HttpRequest.newBuilder(uri("/ok")).DELETE()),
                        // Jetty answers these itself: headers, a URI and a body past their limits
                        send(
                                HttpRequest.newBuilder(uri("/ok"))
                                        .header("X-Big", "x".repeat(20_000))),
                        send(HttpRequest.newBuilder(uri("/ok?q=" + "x".repeat(20_000)))),
                        send(
                                HttpRequest.newBuilder(uri("/ok"))
                                        .method(
                                                "GET",
                                                HttpRequest.BodyPublishers.ofString(
                                                        "x".repeat(10_000)))));
        assertThat(answers)
                .extracting(HttpResponse::statusCode)
                .containsExactly(200, 404, 405, 431, 414, 413);
        for (HttpResponse<String> a : answers) {
            for (Map.Entry<String, String> h : SecurityHeaders.ALL.entrySet()) {
                assertThat(a.headers().firstValue(h.getKey()))
                        .as(a.statusCode() + " " + h.getKey())
                        .contains(h.getValue());
            }
            assertThat(a.headers().firstValue("Content-Type"))
                    .as(a.statusCode() + " content type")
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        }
        // and this: a bad escape in the path (which java.net.URI would not send)
        try (Socket raw = new Socket("127.0.0.1", server.port())) {
            raw.getOutputStream()
                    .write(
                            "GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
            String answer =
                    new String(raw.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400");
            for (Map.Entry<String, String> h : SecurityHeaders.ALL.entrySet()) {
                assertThat(answer).contains(h.getKey() + ": " + h.getValue());
            }
        }
        assertThat(SecurityHeaders.CONTENT_SECURITY_POLICY)
                .contains("script-src 'self';", "frame-ancestors 'none'")
                .doesNotContain("unsafe-eval");
    }

    @Test
    void aClientTricklingItsHeadersIsCutWhileOneThatSendsThemAtOnceIsAnswered() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", server.port());
                Socket quick = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout(50);
            OutputStream out = slow.getOutputStream();
            InputStream in = slow.getInputStream();
            byte[] request =
                    "GET /ok HTTP/1.1\r\nHost: slow\r\nX-Padding: "
                            .getBytes(StandardCharsets.US_ASCII);
            long started = System.nanoTime();
            boolean closed = false;
            // one byte every 50 ms: the idle time-out (10 s) never fires, the guard must
            for (int i = 0;
                    !closed && System.nanoTime() - started < 20 * WINDOW_MS * 1_000_000L;
                    i++) {
                try {
                    out.write(i < request.length ? request[i] : 'x');
                    out.flush();
                    closed = in.read() == -1;
                } catch (SocketTimeoutException stillOpen) {
                    // nothing to read yet: the connection is open
                } catch (java.io.IOException reset) {
                    closed = true;
                }
            }
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertThat(closed).as("closed after %d ms", ms).isTrue();
            assertThat(ms)
                    .as("not before a request had one whole window")
                    .isGreaterThanOrEqualTo(WINDOW_MS);

            quick.getOutputStream()
                    .write(
                            "GET /ok HTTP/1.1\r\nHost: quick\r\nConnection: close\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(quick.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aKeptAliveConnectionThatAsksNowAndThenStaysOpen() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            for (int i = 0; i < 4; i++) {
                s.getOutputStream()
                        .write(
                                "GET /ok HTTP/1.1\r\nHost: k\r\n\r\n"
                                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(readResponse(s.getInputStream()))
                        .as("request " + i)
                        .startsWith("HTTP/1.1 200");
                // idle between requests across more than two windows: idleness is the idle
                // time-out's, not the guard's
                Thread.sleep(WINDOW_MS * 5 / 2);
            }
        }
    }

    /** One HTTP/1.1 response with a Content-Length: its head and body. */
    private static String readResponse(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head.toString();
            }
            head.append((char) b);
        }
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }
}
