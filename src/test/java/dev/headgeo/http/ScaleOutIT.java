package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.testing.ExternalProgram;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.LogFiles;
import dev.headgeo.testing.Python;
import dev.headgeo.testing.ReportJson;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * headgeo as it is deployed: `headgeo run` processes sharing a 3-partition input, layer records
 * produced through librdkafka, half the runs with its default partitioner (not where Java's hash
 * would put a run), half with the Python client's own (Java's murmur2), so single-run lookups take
 * both ways: by key, and asking all. One instance grows to three while runs publish, every listed
 * run answers on every instance with the numbers of the offline analysis, slow clients do not stop
 * the HTTP server, and after kill -9 of one instance its runs report again and keep answering from
 * the others. One broker for the whole class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {
    static final String APP = "headgeo-scale-it";
    static final List<String> RUNS = IntStream.range(0, 9).mapToObj(i -> "run-" + i).toList();
    static final List<String> FIXTURES =
            List.of("supported_12x12x64", "partial_12x12x64", "rejected_12x12x64");

    /**
     * A page may fail for a few seconds around a rebalance; beyond this (with CPU hogs beside) it
     * is broken.
     */
    static final Duration LONGEST_OUTAGE = Duration.ofSeconds(15);

    record Instance(String name, Process process, int port, HttpClientForTests http) {}

    @TempDir static Path tmp;
    static EmbeddedKafka kafka;
    static String python;
    static final Map<String, Instance> instances = new LinkedHashMap<>();

    static String fixture(int run, long checkpoint) {
        return FIXTURES.get((int) ((run + checkpoint / 100) % FIXTURES.size()));
    }

    @BeforeAll
    static void broker() throws Exception {
        Optional<String> py = Python.withModules("numpy", "confluent_kafka");
        assumeTrue(
                py.isPresent(),
                "no python3 with numpy and confluent_kafka (apt-get install python3-numpy"
                        + " python3-confluent-kafka)");
        python = py.get();
        kafka = EmbeddedKafka.start();
        Properties admin = new Properties();
        admin.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin client = Admin.create(admin)) {
            client.createTopics(List.of(new NewTopic(HeadgeoTopics.DEFAULT_LAYERS, 3, (short) 1)))
                    .all()
                    .get();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Instance i : instances.values()) {
            i.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static Instance start(String name) throws Exception {
        int port = ExternalProgram.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
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
                                APP,
                                "--state-dir",
                                tmp.resolve("state-" + name).toString(),
                                "--instance-id",
                                name,
                                "--http-address",
                                "127.0.0.1:" + port,
                                "--kafka",
                                "commit.interval.ms=100")
                        .redirectErrorStream(true)
                        .redirectOutput(tmp.resolve(name + ".log").toFile())
                        .start();
        Instance instance = new Instance(name, p, port, new HttpClientForTests(port, null));
        instances.put(name, instance);
        return instance;
    }

    static void awaitReady(Instance i) throws Exception {
        LogFiles.awaitText(
                tmp.resolve(i.name() + ".log"), "ready:", Duration.ofSeconds(90), i.process());
    }

    /**
     * The partitioner of run {@code r}: librdkafka's default for even runs, the Python client's
     * (Java's murmur2) for odd.
     */
    static String partitioner(int r) {
        return r % 2 == 0 ? "consistent_random" : "murmur2_random";
    }

    /** The partition each run's records were found on (test 2). */
    static final Map<String, Integer> PARTITION_OF = new HashMap<>();

    /**
     * Publishes checkpoint {@code checkpoint} of every run through librdkafka, each with {@link
     * #partitioner}.
     */
    static void publishWithLibrdkafka(long checkpoint) throws Exception {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int r = 0; r < RUNS.size(); r++) {
            items.add(
                    Map.of(
                            "run",
                            RUNS.get(r),
                            "checkpoint",
                            checkpoint,
                            "dump",
                            Golden.dumpFile(fixture(r, checkpoint), tmp).toString(),
                            "partitioner",
                            partitioner(r)));
        }
        Process p =
                Python.processBuilder(
                                python,
                                List.of(
                                        "src/test/python/publish_runs.py",
                                        kafka.bootstrapServers(),
                                        "-X",
                                        "partitioner=consistent_random"))
                        .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(Json.MAPPER.writeValueAsBytes(items));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    static String path(String run) {
        return "/api/runs/" + URLEncoder.encode(run, StandardCharsets.UTF_8);
    }

    /**
     * Waits until the topic holds {@code count} reports and asserts each (run, checkpoint) is there
     * exactly once.
     */
    static List<CheckpointReport> awaitExactlyOnce(int count) {
        List<CheckpointReport> reports =
                ReportReader.read(kafka.bootstrapServers(), count, Duration.ofSeconds(120));
        assertThat(reports).as("reports").hasSize(count);
        Set<String> distinct = new HashSet<>();
        reports.forEach(r -> distinct.add(r.getRunId() + "@" + r.getCheckpoint()));
        assertThat(distinct).as("one report per checkpoint").hasSize(count);
        assertThat(ReportReader.read(kafka.bootstrapServers(), count + 1, Duration.ofSeconds(3)))
                .as("no report twice")
                .hasSize(count);
        return reports;
    }

    /**
     * Asks every run's page on some instances every 200 ms and records the longest time a page
     * answered other than 200 once it had answered.
     */
    static final class PagePoller implements AutoCloseable {
        private final List<Instance> targets;
        private final Thread thread;
        private final Map<String, Long> failingSince = new HashMap<>();
        private final Set<String> answered = new HashSet<>();
        private volatile boolean stopped;
        private volatile long longestOutageNanos;
        private volatile String worst = "none";
        private volatile int asked;

        PagePoller(List<Instance> targets) {
            this.targets = targets;
            this.thread = new Thread(this::poll, "page-poller");
            thread.start();
        }

        private void poll() {
            while (!stopped) {
                for (Instance i : targets) {
                    for (String run : RUNS) {
                        String key = i.name() + " " + run;
                        int status;
                        try {
                            status = i.http().get(path(run)).status();
                        } catch (IOException e) {
                            status = -1;
                        } catch (InterruptedException e) {
                            return;
                        }
                        asked++;
                        long now = System.nanoTime();
                        if (status == 200) {
                            answered.add(key);
                            failingSince.remove(key);
                        } else if (answered.contains(key)) {
                            long since = failingSince.computeIfAbsent(key, k -> now);
                            if (now - since > longestOutageNanos) {
                                longestOutageNanos = now - since;
                                worst = key + " answered " + status;
                            }
                        }
                    }
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        Duration longestOutage() {
            return Duration.ofNanos(longestOutageNanos);
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            thread.interrupt();
            thread.join(15_000);
            System.out.printf(
                    "page poller: %d requests, longest outage %d ms (%s)%n",
                    asked, longestOutage().toMillis(), worst);
        }
    }

    @Test
    @Order(1)
    void oneInstanceGrowsToThreeWhileRunsPublishAndEachCheckpointIsReportedOnce() throws Exception {
        Instance first = start("i1");
        awaitReady(first);
        publishWithLibrdkafka(100);
        awaitExactlyOnce(RUNS.size());
        awaitEveryRunListedEverywhere(1);
        everyGetEndpointAnswersAsTheOpenApiDocumentDeclares(List.of(first));
        try (PagePoller poller = new PagePoller(List.of(first))) {
            Thread publisher =
                    new Thread(
                            () -> {
                                try {
                                    publishWithLibrdkafka(200);
                                } catch (Exception e) {
                                    throw new RuntimeException(e);
                                }
                            });
            publisher.start();
            Instance second = start("i2");
            Instance third = start("i3");
            awaitReady(second);
            awaitReady(third);
            publisher.join();
            awaitExactlyOnce(2 * RUNS.size());
            awaitEveryRunListedEverywhere(2);
            assertThat(poller.longestOutage())
                    .as("longest time a run's page did not answer on i1 while instances joined")
                    .isLessThan(LONGEST_OUTAGE);
        }
        for (Instance i : instances.values()) {
            assertThat(i.http().json("/ready").get("status").asText()).isEqualTo("READY");
        }
        assertThat(Files.readString(tmp.resolve("i1.log")))
                .as("the processor names each run's producer once")
                .containsPattern(
                        "run run-\\d: layer records from headgeo-python/\\d+\\.\\d+\\.\\d+");
    }

    static void awaitEveryRunListedEverywhere(int checkpoints) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (Instance i : instances.values()) {
                if (!i.process().isAlive()) {
                    continue;
                }
                JsonNode runs = i.http().json("/api/runs");
                last = runs.toString();
                int complete = 0;
                for (JsonNode r : runs.get("runs")) {
                    complete += r.get("checkpoints").asInt() == checkpoints ? 1 : 0;
                }
                all &= complete == RUNS.size() && runs.get("missing_instances").isEmpty();
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "not every run listed with "
                        + checkpoints
                        + " checkpoints on every instance: "
                        + last);
    }

    @Test
    @Order(2)
    void librdkafkaPutRunsWhereJavasHashWouldNot() throws Exception {
        Map<String, Integer> partitionOf = new HashMap<>();
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "placement-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(HeadgeoTopics.DEFAULT_LAYERS));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitionOf.size() < RUNS.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    partitionOf.put(new String(r.key(), StandardCharsets.UTF_8), r.partition());
                }
            }
        }
        assertThat(partitionOf).hasSize(RUNS.size());
        PARTITION_OF.putAll(partitionOf);
        long elsewhere =
                partitionOf.entrySet().stream().filter(e -> !whereJavaPutsIt(e.getKey())).count();
        assertThat(elsewhere)
                .as("runs that librdkafka placed away from Java's murmur2 partition")
                .isPositive();
        for (int r = 1; r < RUNS.size(); r += 2) {
            assertThat(whereJavaPutsIt(RUNS.get(r)))
                    .as(RUNS.get(r) + " published with murmur2_random")
                    .isTrue();
        }
    }

    static boolean whereJavaPutsIt(String run) {
        return PARTITION_OF.get(run)
                == Utils.toPositive(Utils.murmur2(run.getBytes(StandardCharsets.UTF_8))) % 3;
    }

    /** An instance's {@code headgeo_http_run_lookups_total} for {@code found}. */
    static double lookups(Instance i, String found) throws Exception {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile(
                                "(?m)^headgeo_http_run_lookups_total\\{[^}]*found=\""
                                        + found
                                        + "\"[^}]*\\} (\\S+)$")
                        .matcher(i.http().get("/metrics").body());
        assertThat(m.find())
                .as(i.name() + " exports headgeo_http_run_lookups_total{found=" + found + "}")
                .isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    @Order(3)
    void aRunIsFoundHereByKeyOrByAskingAllAsItsPlacementSays() throws Exception {
        for (Instance i : instances.values()) {
            // the runs this instance processes itself, as it says when asked for its own part
            java.util.Set<String> processedHere = new java.util.HashSet<>();
            // (the instance-to-instance answer, which the OpenAPI document does not describe)
            var own =
                    java.net.http.HttpClient.newHttpClient()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    java.net.URI.create(
                                                            "http://127.0.0.1:"
                                                                    + i.port()
                                                                    + "/api/runs"))
                                            .header(InstanceRouter.LOCAL_HEADER, "1")
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString());
            for (JsonNode r : Json.MAPPER.readTree(own.body()).get("runs")) {
                if (r.get("copy").asText().equals("active")) {
                    processedHere.add(r.get("run_id").asText());
                }
            }
            for (String run : RUNS) {
                String expected =
                        processedHere.contains(run)
                                ? "here"
                                : whereJavaPutsIt(run) ? "by_key" : "asking_all";
                Map<String, Double> before = new java.util.HashMap<>();
                for (String found : List.of("here", "by_key", "asking_all")) {
                    before.put(found, lookups(i, found));
                }
                assertThat(i.http().get(path(run)).status()).isEqualTo(200);
                for (String found : List.of("here", "by_key", "asking_all")) {
                    assertThat(lookups(i, found) - before.get(found))
                            .as(i.name() + " " + run + " found " + found)
                            .isEqualTo(found.equals(expected) ? 1.0 : 0.0);
                }
            }
        }
    }

    @Test
    @Order(4)
    void everyListedRunAnswersOnEveryInstanceWithTheNumbersOfTheOfflineAnalysis() throws Exception {
        for (Instance i : instances.values()) {
            JsonNode list = i.http().json("/api/runs");
            assertThat(list.get("runs")).hasSize(RUNS.size());
            assertThat(list.get("missing_instances")).isEmpty();
            for (int r = 0; r < RUNS.size(); r++) {
                String run = RUNS.get(r);
                JsonNode detail = i.http().json(path(run));
                assertThat(detail.get("checkpoints")).as(i.name() + " " + run).hasSize(2);
                for (long checkpoint : new long[] {100, 200}) {
                    JsonNode report = i.http().json(path(run) + "/checkpoints/" + checkpoint);
                    JsonNode expected =
                            Json.MAPPER.readTree(
                                    ReportJson.offline(
                                                    Golden.dump(fixture(r, checkpoint)),
                                                    run,
                                                    checkpoint)
                                            .toString());
                    assertThat(ReportJson.withoutTimes(report))
                            .as(i.name() + " " + run + "@" + checkpoint)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    @Order(5)
    void withThreeInstancesEveryGetEndpointStillAnswersAsDeclared() throws Exception {
        everyGetEndpointAnswersAsTheOpenApiDocumentDeclares(List.copyOf(instances.values()));
    }

    /**
     * Asks every GET path of the OpenAPI document (and the errors it declares) on each instance;
     * HttpClientForTests validates each answer against the document, and this checks none was left
     * out.
     */
    static void everyGetEndpointAnswersAsTheOpenApiDocumentDeclares(List<Instance> asked)
            throws Exception {
        ApiContract contract = ApiContract.kept();
        String run = path(RUNS.get(0));
        for (Instance i : asked) {
            HttpClientForTests http = i.http();
            for (String p :
                    List.of(
                            "/health",
                            "/ready",
                            "/metrics",
                            "/",
                            "/assets/app.js",
                            "/assets/echarts.min.js",
                            "/api/openapi.json",
                            "/docs/reference",
                            "/api/runs",
                            "/api/alerts",
                            "/api/alerts?limit=1&run=" + RUNS.get(0),
                            "/api/thresholds",
                            run,
                            run + "/checkpoints/100",
                            run + "/export",
                            run + "/export?format=jsonl")) {
                assertThat(http.get(p).status()).as(i.name() + " " + p).isEqualTo(200);
            }
            contract.checkLines(
                    i.name() + " export",
                    http.get(run + "/export?format=jsonl").body(),
                    "CheckpointReport");
            assertThat(http.get("/api/runs/no-such-run").status()).isEqualTo(404);
            assertThat(http.get(run + "/checkpoints/999").status()).isEqualTo(404);
            assertThat(http.get(run + "/checkpoints/x").status()).isEqualTo(400);
            assertThat(http.get("/api/alerts?limit=0").status()).isEqualTo(400);
            assertThat(http.get(run + "/export?format=xml").status()).isEqualTo(400);
        }
        for (Instance i : asked) {
            askedWithTheGeneratedClient(i);
        }
        JsonNode doc = Json.MAPPER.readTree(Files.readString(ApiContract.DOCUMENT));
        List<String> everyPath = new ArrayList<>();
        doc.get("paths").fieldNames().forEachRemaining(p -> everyPath.add(p + " 200"));
        assertThat(contract.checked()).containsAll(everyPath);
    }

    /**
     * The same, through the Java client openapi-generator made from docs/openapi.json (as a user of
     * the API would).
     */
    static void askedWithTheGeneratedClient(Instance i) throws Exception {
        dev.headgeo.generated.ApiClient client = new dev.headgeo.generated.ApiClient();
        client.updateBaseUri("http://127.0.0.1:" + i.port());
        dev.headgeo.generated.api.RunsApi runs = new dev.headgeo.generated.api.RunsApi(client);
        assertThat(runs.listRuns(null).getRuns())
                .extracting(dev.headgeo.generated.model.RunSummary::getRunId)
                .as(i.name())
                .containsExactlyElementsOf(RUNS.stream().sorted().toList());
        String run = RUNS.get(0);
        dev.headgeo.generated.model.RunDetail detail = runs.getRun(run, null);
        assertThat(detail.getCheckpoints()).as(i.name()).isNotEmpty();
        long checkpoint = detail.getCheckpoints().get(0).getCheckpoint();
        dev.headgeo.generated.model.CheckpointReport report = runs.getReport(run, checkpoint, null);
        assertThat(report.getRunId()).isEqualTo(run);
        assertThat(report.getFits()).hasSize(3);
        assertThat(report.getFits().get(0).getLayers().get(0).getHeadResiduals())
                .hasSize(report.getNumHeads());
        assertThat(
                        new dev.headgeo.generated.api.AlertsApi(client)
                                .listAlerts(run, 10, null, null)
                                .getMissingInstances())
                .isEmpty();
        dev.headgeo.generated.api.ServiceApi service =
                new dev.headgeo.generated.api.ServiceApi(client);
        assertThat(service.getThresholds(null).getVerdict().getSupportedBelow())
                .isEqualTo(dev.headgeo.analysis.Verdict.SUPPORTED_BELOW);
        assertThat(service.health().getStatus()).isEqualTo("UP");
        assertThat(service.ready().getStatus()).isEqualTo("READY");
        try {
            runs.getRun("no-such-run", null);
            throw new AssertionError("no-such-run was found");
        } catch (dev.headgeo.generated.ApiException e) {
            assertThat(e.getCode()).isEqualTo(404);
        }
    }

    @Test
    @Order(6)
    void dozensOfHalfSentRequestsDoNotStopHealthMetricsOrTheApi() throws Exception {
        Instance i = instances.get("i1");
        List<Socket> slow = new ArrayList<>();
        try {
            for (int n = 0; n < 48; n++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), i.port());
                s.getOutputStream()
                        .write(
                                "GET /api/runs HTTP/1.1\r\nHost: slow\r\nX-Half: "
                                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            for (String p :
                    List.of(
                            "/health",
                            "/ready",
                            "/metrics",
                            "/api/runs",
                            path(RUNS.get(0)),
                            "/api/alerts")) {
                long t0 = System.nanoTime();
                HttpClientForTests.Response r = i.http().get(p);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf(
                        "%s with 48 half-sent requests open: %d in %d ms%n", p, r.status(), ms);
                assertThat(r.status()).as(p).isEqualTo(200);
                assertThat(ms)
                        .as(p + " answers while slow clients hold connections")
                        .isLessThan(5000);
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        for (String request :
                List.of(
                        "GET /api/runs/%ZZ HTTP/1.1",
                        "POST /api/runs HTTP/1.1",
                        "GET /api/runs HTTP/1.1\r\nX-Big: " + "x".repeat(20_000))) {
            String answer =
                    rawExchange(i.port(), request + "\r\nHost: t\r\nConnection: close\r\n\r\n");
            String status = answer.lines().findFirst().orElse("");
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(status)
                    .as(request.lines().findFirst().orElse(""))
                    .matches("HTTP/1.1 (400|405|431) .*");
            assertThat(answer).containsIgnoringCase("Content-Type: application/json");
            assertThat(Json.MAPPER.readTree(body).get("error").asText()).as(answer).isNotBlank();
        }
        HttpClientForTests.Response unknown = i.http().get("/api/nothing");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asText()).contains("/api/nothing");
    }

    /**
     * Sends {@code request} as it is (the JDK client refuses a bad escape) and reads the whole
     * answer.
     */
    static String rawExchange(int port, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Order(7)
    void afterKillNineOfOneInstanceItsRunsReportAgainAndAnswerFromTheOthers() throws Exception {
        Instance victim = instances.get("i3");
        List<Instance> survivors = List.of(instances.get("i1"), instances.get("i2"));
        try (PagePoller poller = new PagePoller(survivors)) {
            long killed = System.nanoTime();
            victim.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            // while the dead member still counts as one (its session time-out), lists come from
            // standby copies
            JsonNode during = survivors.get(0).http().json("/api/runs");
            assertThat(during.get("runs"))
                    .as("every run listed right after the kill: " + during)
                    .hasSize(RUNS.size());
            publishWithLibrdkafka(300);
            awaitExactlyOnce(3 * RUNS.size());
            double seconds = (System.nanoTime() - killed) / 1e9;
            System.out.printf(
                    "kill -9 of one of three instances to every run's next report: %.1f s%n",
                    seconds);
            assertThat(seconds).as("failover to the next report of every run").isLessThan(60);
            awaitEveryRunListedEverywhere(3);
            assertThat(poller.longestOutage())
                    .as("longest time a run's page did not answer on the survivors")
                    .isLessThan(LONGEST_OUTAGE);
        }
        for (Instance i : survivors) {
            for (int r = 0; r < RUNS.size(); r++) {
                JsonNode report = i.http().json(path(RUNS.get(r)) + "/checkpoints/300");
                JsonNode expected =
                        Json.MAPPER.readTree(
                                ReportJson.offline(Golden.dump(fixture(r, 300)), RUNS.get(r), 300)
                                        .toString());
                assertThat(ReportJson.withoutTimes(report)).isEqualTo(expected);
            }
        }
    }
}
