package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.client.LayerPublisher;
import dev.headgeo.dump.Dump;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.dump.SyntheticDumps;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.testing.ExternalProgram;
import dev.headgeo.testing.LogFiles;
import dev.headgeo.wire.HeadgeoTopics;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A `run` process under more requests than it takes: hundreds of kept-alive connections asking the
 * API at once, and dozens of concurrent exports of a large run. Every answer is a status line (200
 * or a 503 with Retry-After), /health answers within its deadline throughout, the log stays short,
 * memory stays bounded.
 */
class OverloadIT {
    static final String RUN = "big-run";
    static final int CHECKPOINTS = 20;
    @TempDir static Path tmp;
    static EmbeddedKafka kafka;
    static Process run;
    static int port;

    /** The first 503 seen, head and body, to check what a turned-away client is told. */
    static final java.util.concurrent.atomic.AtomicReference<String> first503 =
            new java.util.concurrent.atomic.AtomicReference<>();

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        port = ExternalProgram.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        run =
                new ProcessBuilder(
                                java,
                                "-Xmx256m",
                                "-cp",
                                System.getProperty("java.class.path"),
                                "dev.headgeo.cli.Main",
                                "run",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--application-id",
                                "overload-it",
                                "--state-dir",
                                tmp.resolve("state").toString(),
                                "--http-address",
                                "127.0.0.1:" + port,
                                "--kafka",
                                "commit.interval.ms=100")
                        .redirectErrorStream(true)
                        .redirectOutput(tmp.resolve("run.log").toFile())
                        .start();
        LogFiles.awaitText(tmp.resolve("run.log"), "ready:", Duration.ofSeconds(90), run);
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        // 32 layers x 32 heads x 128 singular values: a kept history of about 2 MB as JSON lines
        Dump dump = SyntheticDumps.generate(32, 32, 128, 0.05, 7);
        try (LayerPublisher publisher =
                new LayerPublisher(client, HeadgeoTopics.defaults().layers())) {
            for (int c = 1; c <= CHECKPOINTS; c++) {
                publisher.publish(LayerRecords.split(dump, RUN, 100L * c, "m", null));
            }
        }
        HttpClientForTests http = new HttpClientForTests(port, null);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!http.get("/api/runs/" + RUN)
                .body()
                .contains("\"checkpoint\":" + 100 * CHECKPOINTS + ",")) {
            assertThat(System.nanoTime())
                    .as("the run's last checkpoint reported")
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (run != null) {
            run.destroy();
            run.waitFor(30, TimeUnit.SECONDS);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * One GET on a fresh connection: the status, or -1 for an empty reply (closed without a status
     * line).
     */
    static int get(String path, int timeoutMs, AtomicLong bodyBytes) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write(
                    ("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            if (head.length < 12) {
                return -1;
            }
            long n = 12;
            byte[] buf = new byte[65536];
            java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
            kept.write(head);
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
                if (kept.size() < 4096) {
                    kept.write(buf, 0, Math.min(r, 4096));
                }
            }
            int status = Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
            if (status == 503) {
                first503.compareAndSet(null, kept.toString(StandardCharsets.UTF_8));
            }
            if (bodyBytes != null) {
                bodyBytes.addAndGet(n);
            }
            return status;
        } catch (java.net.SocketTimeoutException e) {
            return -2;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Keep-alive connections, as wrk and browsers hold them: one per client thread, reused (a pool
     * of up to {@code clients}).
     */
    static final java.net.http.HttpClient KEEP_ALIVE =
            java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(30))
                    .build();

    /**
     * One GET on a kept-alive connection: the status, -1 for an empty reply or a reset, -2 for no
     * answer in 30 s.
     */
    static int getKeptAlive(String path) {
        try {
            java.net.http.HttpResponse<byte[]> r =
                    KEEP_ALIVE.send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(Duration.ofSeconds(30))
                                    .GET()
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 503) {
                first503.compareAndSet(
                        null,
                        "Retry-After: "
                                + r.headers().firstValue("Retry-After").orElse("none")
                                + "\n"
                                + r.headers().firstValue("Content-Type").orElse("")
                                + "\n"
                                + new String(r.body(), StandardCharsets.UTF_8));
            }
            return r.statusCode();
        } catch (java.net.http.HttpTimeoutException e) {
            return -2;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Load from {@code clients} threads for {@code seconds}, probing /health on a new connection
     * meanwhile; returns what was seen.
     */
    static Map<String, Long> load(int clients, String path, int seconds, int healthDeadlineMs)
            throws Exception {
        Map<String, Long> seen = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int i = 0; i < clients; i++) {
            pool.submit(
                    () -> {
                        while (!stop.get()) {
                            seen.merge("status " + getKeptAlive(path), 1L, Long::sum);
                        }
                    });
        }
        long worstHealth = 0;
        int probes = 0;
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            int status = get("/health", healthDeadlineMs, null);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            seen.merge("health " + status, 1L, Long::sum);
            worstHealth = Math.max(worstHealth, ms);
            probes++;
            Thread.sleep(200);
        }
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        seen.put("health probes", (long) probes);
        seen.put("worst health ms", worstHealth);
        return seen;
    }

    @Test
    void hundredsOfConnectionsGetAnswersAndHealthStaysQuick() throws Exception {
        long logBefore = Files.readAllLines(tmp.resolve("run.log")).size();
        Map<String, Long> seen = load(400, "/api/runs", 15, 2000);
        System.out.println(
                "400 connections on /api/runs for 15 s: " + new java.util.TreeMap<>(seen));
        assertThat(seen)
                .as("every probe a 200 within 2 s")
                .containsEntry("health 200", seen.get("health probes"));
        assertThat(seen.keySet())
                .as("only 200 and 503 answers, no empty reply (-1) or time-out (-2): " + seen)
                .allMatch(
                        k ->
                                !k.startsWith("status")
                                        || k.equals("status 200")
                                        || k.equals("status 503"));
        assertThat(seen.get("status 503")).as("the excess was turned away: " + seen).isPositive();
        List<String> log = Files.readAllLines(tmp.resolve("run.log"));
        List<String> added = log.subList((int) logBefore, log.size());
        assertThat(added).as("log lines during the overload").hasSizeLessThan(20);
        assertThat(String.join("\n", added))
                .doesNotContain("RejectedExecutionException")
                .contains("HTTP overloaded");
        assertThat(first503.get())
                .as("a turned-away request is told why and when to come back")
                .contains("Retry-After: 1")
                .contains("application/json")
                .contains("{\"error\":\"too many requests at once");
        assertThat(new HttpClientForTests(port, null).get("/api/runs").status())
                .as("after the overload")
                .isEqualTo(200);
        HttpClientForTests.Response huge =
                new HttpClientForTests(port, null).get("/api/runs/" + "r".repeat(15_000));
        assertThat(huge.status()).isEqualTo(404);
        assertThat(huge.body())
                .as("an error quotes at most ~200 characters of the input")
                .hasSizeLessThan(400);
    }

    @Test
    void concurrentExportsAreBoundedAndHealthStaysUnderASecond() throws Exception {
        long rssBefore = rssKb(run.pid());
        Map<String, Long> seen = load(32, "/api/runs/" + RUN + "/export?format=jsonl", 20, 1000);
        long rssAfter = rssKb(run.pid());
        System.out.printf(
                "32 concurrent exports for 20 s: %s; RSS %d -> %d MB%n",
                new java.util.TreeMap<>(seen), rssBefore / 1024, rssAfter / 1024);
        assertThat(seen)
                .as("every probe a 200 within 1 s: " + seen)
                .containsEntry("health 200", seen.get("health probes"));
        assertThat(seen.get("status 200")).as("exports made: " + seen).isPositive();
        assertThat(seen.keySet())
                .as("only 200 and 503: " + seen)
                .allMatch(
                        k ->
                                !k.startsWith("status")
                                        || k.equals("status 200")
                                        || k.equals("status 503"));
        // the heap is capped at 256 MB; what matters is that 32 exports at once do not hold 32
        // histories
        assertThat((rssAfter - rssBefore) / 1024)
                .as("RSS growth in MB (before " + rssBefore / 1024 + ")")
                .isLessThan(200);
    }

    static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmRSS for " + pid);
    }
}
