package dev.headgeo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.testing.LogFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit statuses of docs/reference.md for the long-running commands as separate processes: 0
 * after SIGTERM (what Ctrl-C and a supervisor's stop send) and a clean stop. {@code run} and {@code
 * forward} are checked in ResilienceIT and ForwarderIT, 1 after a failure in SecurityIT, 2 for bad
 * usage in CommandLineErrorsTest and SettingDefaultsTest.
 */
class ExitStatusIT {
    static EmbeddedKafka kafka;
    @TempDir static Path tmp;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    static Process headgeo(String log, String... args) throws Exception {
        return headgeo(List.of(), log, args);
    }

    static Process headgeo(List<String> jvmOptions, String log, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString()));
        command.addAll(jvmOptions);
        command.addAll(
                List.of("-cp", System.getProperty("java.class.path"), "dev.headgeo.cli.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(log).toFile())
                .start();
    }

    static void stopsWithZero(Process p, String log) throws Exception {
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(tmp.resolve(log))).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve(log))).isZero();
    }

    @Test
    void watchExitsZeroAfterSigterm() throws Exception {
        // the processor makes the topics that watch reads
        Process run =
                headgeo(
                        "run.log",
                        "run",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--state-dir",
                        tmp.resolve("state").toString(),
                        "--http-address",
                        "none",
                        "--application-id",
                        "exit-status-it");
        try {
            LogFiles.awaitText(tmp.resolve("run.log"), "ready:", Duration.ofSeconds(90), run);
            Process watch =
                    headgeo(
                            "watch.log",
                            "watch",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--group",
                            "exit-status-watch");
            LogFiles.awaitText(
                    tmp.resolve("watch.log"),
                    "run",
                    Duration.ofSeconds(60),
                    watch); // the header: it is reading
            stopsWithZero(watch, "watch.log");
        } finally {
            stopsWithZero(run, "run.log");
        }
    }

    @Test
    void demoWhoseDefaultPortIsTakenServesOnAFreeOneAndSaysWhere() throws Exception {
        java.net.ServerSocket taken = new java.net.ServerSocket();
        try {
            taken.setReuseAddress(true);
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", 8080));
        } catch (java.io.IOException alreadyTaken) {
            taken.close(); // something else has it: taken all the same
        }
        try (taken) {
            Process demo = headgeo("demo-port.log", "demo", "--keep-running");
            LogFiles.awaitText(
                    tmp.resolve("demo-port.log"), "dashboard: http", Duration.ofSeconds(120), demo);
            String log = Files.readString(tmp.resolve("demo-port.log"));
            assertThat(log).contains("port 8080 is taken; the dashboard gets a free port");
            java.util.regex.Matcher url =
                    java.util.regex.Pattern.compile("dashboard: (http://127\\.0\\.0\\.1:(\\d+)/)")
                            .matcher(log);
            assertThat(url.find()).as(log).isTrue();
            assertThat(Integer.parseInt(url.group(2))).isNotEqualTo(8080);
            java.net.http.HttpResponse<String> health =
                    java.net.http.HttpClient.newHttpClient()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    java.net.URI.create(url.group(1) + "health"))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            stopsWithZero(demo, "demo-port.log");
        }
    }

    @Test
    void demoStoppedWhileStartingLeavesNoFilesBehind() throws Exception {
        Path temp = Files.createDirectories(tmp.resolve("demo-temp"));
        Process demo =
                headgeo(
                        List.of("-Djava.io.tmpdir=" + temp),
                        "demo-early.log",
                        "demo",
                        "--http-address",
                        "127.0.0.1:0");
        // the broker runs, the processor is still starting
        LogFiles.awaitText(
                tmp.resolve("demo-early.log"), "Kafka up", Duration.ofSeconds(120), demo);
        stopsWithZero(demo, "demo-early.log");
        try (var left = Files.list(temp)) {
            assertThat(
                            left.map(p -> p.getFileName().toString())
                                    .filter(n -> n.startsWith("headgeo-")))
                    .isEmpty();
        }
    }

    @Test
    void demoExitsZeroAfterSigtermWithItsBrokerStopped() throws Exception {
        Process demo =
                headgeo("demo.log", "demo", "--keep-running", "--http-address", "127.0.0.1:0");
        LogFiles.awaitText(tmp.resolve("demo.log"), "dashboard", Duration.ofSeconds(120), demo);
        stopsWithZero(demo, "demo.log");
        assertThat(Files.readString(tmp.resolve("demo.log"))).doesNotContain("Exception");
    }
}
