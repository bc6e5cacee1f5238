package dev.headgeo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingSourcesTest {
    @TempDir
    Path tmp;

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        Path file = tmp.resolve("headgeo.properties");
        Files.writeString(file, "bootstrap-servers=file:9092\napplication-id=from-file\nstate-dir=/file\n"
                + "kafka.linger.ms=5\nkafka.acks=1\n");
        SettingSources s = SettingSources.load(file, Map.of(
                "HEADGEO_BOOTSTRAP_SERVERS", "env:9092", "HEADGEO_APPLICATION_ID", "from-env"));

        assertThat(s.get("flag:9092", "bootstrap-servers", "default")).isEqualTo("flag:9092");
        assertThat(s.get(null, "bootstrap-servers", "default")).isEqualTo("env:9092");
        assertThat(s.get(null, "application-id", "default")).isEqualTo("from-env");
        assertThat(s.get(null, "state-dir", "default")).isEqualTo("/file");
        assertThat(s.get(null, "input-topic", "headgeo.layers")).isEqualTo("headgeo.layers");
        assertThat(s.kafka(Map.of("acks", "all"))).containsEntry("linger.ms", "5").containsEntry("acks", "all");
        assertThat(SettingSources.envName("dead-letter-topic")).isEqualTo("HEADGEO_DEAD_LETTER_TOPIC");
    }

    @Test
    void missingConfigFileIsOneClearLine() {
        assertThatThrownBy(() -> SettingSources.load(tmp.resolve("nope.properties"), Map.of()))
                .isInstanceOf(UserError.class).hasMessageContaining("no such file");
    }

    @Test
    void durationsTakeShortAndIsoForms() {
        assertThat(Durations.parse("--t", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("--t", "10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("--t", "PT10M")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("--t", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("--t", "7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parseNonNegative("--t", "0")).isZero();
        assertThatThrownBy(() -> Durations.parse("--t", "0s")).isInstanceOf(UserError.class);
        assertThatThrownBy(() -> Durations.parse("--t", "ten minutes")).isInstanceOf(UserError.class).hasMessageContaining("--t");
    }

    @Test
    void runRejectsBadSettingsWithOneLine() {
        for (String[] args : new String[][] {
            {"run", "--output-format", "xml"},
            {"run", "--primary-anchor", "first"},
            {"run", "--checkpoint-timeout", "soon"},
            {"run", "--history-size", "0"},
            {"run", "--config", tmp.resolve("missing.properties").toString()}}) {
            CliRunner.Result r = CliRunner.run(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip().lines()).hasSize(1);
        }
    }
}
