package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.testing.Golden;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.AvroJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Limits and strict decoding at the door: each rule dead-letters with its reason and the limit, and
 * the processor goes on.
 */
class LimitsTest extends TopologyTestBase {

    void start(StreamSettings settings) {
        fixture(settings);
    }

    static StreamSettings settings() {
        return TopologyFixture.settings(Duration.ofMinutes(10));
    }

    static LayerGeometry layer(String run) {
        return LayerRecords.split(Golden.dump("two_layers"), run, 1, null, null).get(0);
    }

    static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * The reason and detail of the one dead letter, and that a valid checkpoint behind it is still
     * reported.
     */
    List<String> rejectedThenValid() {
        f.send(LayerRecords.split(Golden.dump("two_layers"), "after", 1, null, null));
        assertThat(f.reports.readValuesToList())
                .as("a valid checkpoint behind the bad record")
                .hasSize(1);
        List<TestRecord<byte[], byte[]>> dead = f.deadLetterRecords();
        assertThat(dead).hasSize(1);
        return List.of(
                header(dead.get(0), DeadLetters.REASON_HEADER),
                header(dead.get(0), DeadLetters.DETAIL_HEADER));
    }

    @Test
    void anAbsurdLayerCountIsInvalidAndNothingIsAllocatedForIt() {
        start(settings());
        LayerGeometry huge = layer("x");
        huge.setNumLayers(Integer.MAX_VALUE);
        f.send(List.of(huge));
        f.driver.advanceWallClockTime(Duration.ofMinutes(11));

        assertThat(rejectedThenValid())
                .containsExactly("INVALID", "num_layers is 2147483647, must be in [1, 1024]");
        assertThat(f.alerts.readValuesToList())
                .as("nothing was opened, so nothing times out")
                .isEmpty();
    }

    @Test
    void eachShapeLimitIsASetting() {
        start(settings().withLimits(new LayerLimits(1, 1, 1, 4)));
        LayerGeometry l = layer("abcd");
        f.send(List.of(l));
        List<String> details =
                f.deadLetterRecords().stream()
                        .map(r -> header(r, DeadLetters.DETAIL_HEADER))
                        .toList();
        assertThat(details).containsExactly("num_layers is 2, must be in [1, 1]");

        f.close();
        start(settings().withLimits(new LayerLimits(8, 1, 1, 4)));
        f.send(List.of(layer("abcde")));
        l.setNumHeads(2);
        f.send(List.of(l));
        LayerGeometry longSpectrum = layer("abcd");
        longSpectrum.setNumHeads(1);
        longSpectrum.setMetricSingvalsPerHead(List.of(List.of(1.0, 2.0)));
        longSpectrum.setMeanAttentionEntropyPerHead(List.of(1.0));
        f.send(List.of(longSpectrum));
        assertThat(f.deadLetterRecords())
                .extracting(r -> header(r, DeadLetters.DETAIL_HEADER))
                .containsExactly(
                        "run_id has 5 characters, the limit is 4",
                        "num_heads is 2, must be in [1, 1]",
                        "metric_singvals_per_head[0] has 2 values, the limit is 1");
    }

    @Test
    void runIdsWithControlCharactersAreInvalidAndShownEscaped() {
        start(settings());
        String nasty = "run\u0001\u001b[31m\n\t";
        f.send(List.of(layer(nasty)));

        List<String> dead = rejectedThenValid();
        assertThat(dead.get(0)).isEqualTo("INVALID");
        assertThat(dead.get(1))
                .isEqualTo("run_id 'run\\u0001\\u001b[31m\\n\\t' contains control characters");
    }

    @Test
    void aLongRunIdIsInvalid() {
        start(settings());
        f.send(List.of(layer("r".repeat(257))));
        assertThat(rejectedThenValid())
                .containsExactly("INVALID", "run_id has 257 characters, the limit is 256");
    }

    @Test
    void anythingAfterTheJsonValueOrTheAvroRecordIsMalformed() {
        start(settings());
        byte[] json = AvroJson.toJsonLine(layer("run")).getBytes(StandardCharsets.UTF_8);
        f.rawLayers.pipeInput(
                "run",
                (new String(json, StandardCharsets.UTF_8) + " {\"more\":1}")
                        .getBytes(StandardCharsets.UTF_8));
        byte[] avro =
                new AvroCodec<LayerGeometry>(LayerGeometry.getClassSchema()).toAvro(layer("run"));
        byte[] padded = Arrays.copyOf(avro, avro.length + 3);
        f.rawLayers.pipeInput("run", padded);
        f.rawLayers.pipeInput(
                "run",
                (new String(json, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));

        List<TestRecord<byte[], byte[]>> dead = f.deadLetterRecords();
        assertThat(dead)
                .extracting(r -> header(r, DeadLetters.REASON_HEADER))
                .containsExactly("MALFORMED", "MALFORMED");
        assertThat(header(dead.get(0), DeadLetters.DETAIL_HEADER)).contains("Trailing token");
        assertThat(header(dead.get(1), DeadLetters.DETAIL_HEADER))
                .isEqualTo("3 bytes after the Avro LayerGeometry record");
        assertThat(f.reports.isEmpty())
                .as("the JSON with only a trailing newline is a valid first layer")
                .isTrue();
    }

    @Test
    void theSizeLimitIsOnTheBytesAsReceived() {
        start(settings().withMaxLayerBytes(4096));
        String json = AvroJson.toJsonLine(layer("run"));
        String padded =
                json.substring(0, json.length() - 1) + ",\"unknown\":\"" + "x".repeat(5000) + "\"}";
        f.rawLayers.pipeInput("run", padded.getBytes(StandardCharsets.UTF_8));

        List<String> dead = rejectedThenValid();
        assertThat(dead.get(0)).isEqualTo("TOO_LARGE");
        assertThat(dead.get(1))
                .startsWith("layer record is " + padded.length() + " bytes, the limit is 4096");
    }

    @Test
    void aDeadLetterOfAHugeRecordCarriesACutValueAndItsOriginalLength() {
        start(settings());
        byte[] huge = new byte[3 * 1024 * 1024];
        Arrays.fill(huge, (byte) '{');
        f.rawLayers.pipeInput("run", huge);

        List<TestRecord<byte[], byte[]>> dead = f.deadLetterRecords();
        assertThat(dead).hasSize(1);
        assertThat(header(dead.get(0), DeadLetters.REASON_HEADER)).isEqualTo("TOO_LARGE");
        assertThat(dead.get(0).value()).hasSize(DeadLetters.TRUNCATED_VALUE);
        assertThat(header(dead.get(0), DeadLetters.TRUNCATED_HEADER))
                .isEqualTo(Integer.toString(huge.length));
        assertThat(header(dead.get(0), "__streams.errors.offset")).isEqualTo("0");
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("run");
    }
}
