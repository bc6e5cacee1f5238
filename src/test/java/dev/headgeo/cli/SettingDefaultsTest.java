package dev.headgeo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.util.Durations;
import dev.headgeo.wire.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class SettingDefaultsTest {
    @TempDir Path tmp;

    /**
     * Parses (does not run) a command line and returns the subcommand object with its resolved
     * options.
     */
    @SuppressWarnings("unchecked")
    static <T> T parsed(Map<String, String> env, String... args) {
        CommandLine cli = Main.commandLine(args, env);
        ParseResult result = cli.parseArgs(args);
        return (T) result.subcommand().commandSpec().userObject();
    }

    /**
     * Each level given alone, then with the stronger ones, for one option: default, file, env,
     * flag.
     */
    <T> void precedence(
            String command,
            String option,
            String fileValue,
            String envValue,
            String flagValue,
            java.util.function.Function<Object, T> read,
            T expectDefault,
            T expectFile,
            T expectEnv,
            T expectFlag)
            throws Exception {
        String setting = option.substring(2);
        Path file = tmp.resolve(command + ".properties");
        Files.writeString(file, setting + "=" + fileValue + "\n");
        Map<String, String> env = Map.of(SettingDefaults.envName(setting), envValue);
        List<String> base = new ArrayList<>(List.of(command));
        if (command.equals("publish")) {
            base.addAll(List.of("dump.json", "--run", "r", "--checkpoint", "1"));
        } else if (command.equals("analyze") || command.equals("bench")) {
            base.add("dump.json");
        }
        List<String> withFile = new ArrayList<>(base);
        withFile.addAll(List.of("--config", file.toString()));
        List<String> withFlag = new ArrayList<>(withFile);
        withFlag.addAll(List.of(option, flagValue));

        assertThat(read.apply(parsed(Map.of(), base.toArray(String[]::new))))
                .as(command + " default")
                .isEqualTo(expectDefault);
        assertThat(read.apply(parsed(Map.of(), withFile.toArray(String[]::new))))
                .as(command + " file")
                .isEqualTo(expectFile);
        assertThat(read.apply(parsed(env, withFile.toArray(String[]::new))))
                .as(command + " env")
                .isEqualTo(expectEnv);
        assertThat(read.apply(parsed(env, withFlag.toArray(String[]::new))))
                .as(command + " flag")
                .isEqualTo(expectFlag);
        // HEADGEO_CONFIG names the file when --config is not given
        assertThat(
                        read.apply(
                                parsed(
                                        Map.of("HEADGEO_CONFIG", file.toString()),
                                        base.toArray(String[]::new))))
                .as(command + " HEADGEO_CONFIG")
                .isEqualTo(expectFile);
    }

    @Test
    void runHonoursFlagThenEnvironmentThenFileThenDefault() throws Exception {
        precedence(
                "run",
                "--checkpoint-timeout",
                "30s",
                "2m",
                "5s",
                c -> ((RunCommand) c).checkpointTimeout,
                Duration.ofMinutes(10),
                Duration.ofSeconds(30),
                Duration.ofMinutes(2),
                Duration.ofSeconds(5));
        precedence(
                "run",
                "--bootstrap-servers",
                "file:9092",
                "env:9092",
                "flag:9092",
                c -> ((RunCommand) c).kafka.bootstrapServers,
                "localhost:9092",
                "file:9092",
                "env:9092",
                "flag:9092");
        precedence(
                "run",
                "--primary-anchor",
                "middle",
                "BEST",
                "last",
                c -> ((RunCommand) c).primaryAnchor,
                Anchor.LAST,
                Anchor.MIDDLE,
                Anchor.BEST,
                Anchor.LAST);
    }

    @Test
    void everyOtherCommandHonoursThemToo() throws Exception {
        precedence(
                "publish",
                "--input-topic",
                "file.layers",
                "env.layers",
                "flag.layers",
                c -> ((PublishCommand) c).topic,
                "headgeo.layers",
                "file.layers",
                "env.layers",
                "flag.layers");
        precedence(
                "watch",
                "--reports-topic",
                "file.r",
                "env.r",
                "flag.r",
                c -> ((WatchCommand) c).reportsTopic.name,
                "headgeo.reports",
                "file.r",
                "env.r",
                "flag.r");
        precedence(
                "broker",
                "--port",
                "9001",
                "9002",
                "9003",
                c -> ((BrokerCommand) c).port,
                9092,
                9001,
                9002,
                9003);
        precedence(
                "demo",
                "--layer-interval",
                "10ms",
                "20ms",
                "30ms",
                c -> ((DemoCommand) c).layerInterval,
                Duration.ofMillis(150),
                Duration.ofMillis(10),
                Duration.ofMillis(20),
                Duration.ofMillis(30));
        precedence(
                "analyze",
                "--format",
                "json",
                "text",
                "json",
                c -> ((AnalyzeCommand) c).format,
                Format.text,
                Format.json,
                Format.text,
                Format.json);
        precedence(
                "bench", "--repeat", "5", "6", "7", c -> ((BenchCommand) c).repeat, 200, 5, 6, 7);
    }

    @Test
    void kafkaPropertiesComeFromTheFileAndTheFlagsWin() throws Exception {
        Path file = tmp.resolve("kafka.properties");
        Files.writeString(file, "kafka.linger.ms=5\nkafka.acks=1\noutput-format=json\n");
        RunCommand run =
                parsed(Map.of(), "run", "--config", file.toString(), "--kafka", "acks=all");

        assertThat(run.kafka.passThrough())
                .containsEntry("linger.ms", "5")
                .containsEntry("acks", "all");
        assertThat(run.outputFormat).isEqualTo(AvroSerde.Format.json);
        assertThat(run.createTopics).isTrue();
        RunCommand noCreate = parsed(Map.of(), "run", "--no-create-topics");
        assertThat(noCreate.createTopics).isFalse();
        RunCommand envNoCreate = parsed(Map.of("HEADGEO_CREATE_TOPICS", "false"), "run");
        assertThat(envNoCreate.createTopics).isFalse();
        assertThat(SettingDefaults.envName("dead-letter-topic"))
                .isEqualTo("HEADGEO_DEAD_LETTER_TOPIC");
    }

    @Test
    void durationsTakeShortAndIsoForms() {
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("PT10M")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("0")).isZero();
        assertThatThrownBy(() -> Durations.parse("ten minutes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Durations.parse("-PT1S"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badSettingsAreOneLineAndExitTwo() {
        String missing = tmp.resolve("missing.properties").toString();
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put(
                "run --output-format xml",
                "headgeo run: Invalid value for option '--output-format': expected one of [avro,"
                        + " json] (case-insensitive) but was 'xml' (see --help)");
        expected.put(
                "run --primary-anchor first",
                "headgeo run: Invalid value for option '--primary-anchor': expected one of [LAST,"
                        + " MIDDLE, BEST] (case-insensitive) but was 'first' (see --help)");
        expected.put(
                "run --checkpoint-timeout soon",
                "headgeo run: Invalid value for option '--checkpoint-timeout': 'soon' is not a"
                        + " duration (for example 30s, 10m or PT10M) (see --help)");
        expected.put(
                "run --checkpoint-timeout 0s",
                "headgeo run: --checkpoint-timeout must be positive, got 0");
        expected.put(
                "run --history-size 0",
                "headgeo run: --history-size must be a positive integer, got 0");
        expected.put(
                "run --max-layer-bytes many",
                "headgeo run: Invalid value for option '--max-layer-bytes': 'many' is not an int"
                        + " (see --help)");
        expected.put("run --config " + missing, "headgeo: --config " + missing + ": no such file");
        expected.put(
                "watch --idle-timeout 0", "headgeo watch: --idle-timeout must be positive, got 0");
        expected.forEach(
                (command, message) -> {
                    CliRunner.Result r = CliRunner.run(command.split(" "));
                    assertThat(r.status()).as(command).isEqualTo(2);
                    assertThat(r.err().strip()).as(command).isEqualTo(message);
                });
        CliRunner.Result fromEnv =
                CliRunner.runWithEnv(Map.of("HEADGEO_CHECKPOINT_TIMEOUT", "soon"), "run");
        assertThat(fromEnv.status()).isEqualTo(2);
        assertThat(fromEnv.err().strip())
                .isEqualTo(
                        "headgeo run: Invalid value for option '--checkpoint-timeout': 'soon' is"
                                + " not a duration (for example 30s, 10m or PT10M) (see --help)");
    }
}
