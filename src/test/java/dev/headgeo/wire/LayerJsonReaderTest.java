package dev.headgeo.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.dump.SyntheticDumps;
import dev.headgeo.testing.Golden;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * The streaming JSON reader and the primitive writer agree with the codec's way (JSON tree,
 * generated class, Avro encoder): the same values, the same stored version, the same refusals.
 */
class LayerJsonReaderTest {
    final AvroCodec<LayerGeometry> codec = new AvroCodec<>(LayerGeometry.getClassSchema());
    final LayerJsonReader json = new LayerJsonReader();
    final LayerWriter writer = new LayerWriter();
    final LayerReader avro = new LayerReader();

    private static List<LayerGeometry> records() {
        List<LayerGeometry> out =
                new ArrayList<>(
                        LayerRecords.split(
                                Golden.dump("ragged_ranks"),
                                "r",
                                3,
                                "m",
                                Instant.ofEpochMilli(42)));
        out.addAll(
                LayerRecords.split(
                        SyntheticDumps.generate(3, 5, 17, 0.05, 11), "synthetic", 0, null, null));
        out.addAll(
                LayerRecords.split(
                        Golden.dump("two_layers"),
                        "tagged ✓/run",
                        9,
                        "gpt",
                        Instant.ofEpochMilli(7),
                        Map.of("owner", "ana", "lr", "3e-4")));
        LayerGeometry health =
                LayerRecords.split(Golden.dump("two_layers"), "h", 5, null, null).get(1);
        health.setMaxAttentionLogitPerHead(LayerArrays.boxed(new double[health.getNumHeads()]));
        health.setProbeTokens(64);
        health.setQkNorm(true);
        out.add(health);
        return out;
    }

    @Test
    void readsWhatTheCodecReadsFromTheSameJson() {
        for (LayerGeometry record : records()) {
            byte[] line = codec.toJson(record);
            LayerValues read = json.read(line);
            assertThat(read)
                    .usingRecursiveComparison()
                    .isEqualTo(LayerArrays.values(codec.decode(line)));
        }
    }

    @Test
    void writesTheVersionTheCodecWritesAndReadsBackTheSameValues() {
        for (LayerGeometry record : records()) {
            LayerValues values = LayerArrays.values(record);
            byte[] written = writer.toAvro(values);
            byte[] codecs = codec.toAvro(record);
            assertThat(written)
                    .as("the same version and bytes as the generated writer: %s", record.getRunId())
                    .isEqualTo(codecs);
            assertThat(avro.read(written)).usingRecursiveComparison().isEqualTo(values);
        }
    }

    @Test
    void aRecordWithoutTagsIsStoredAsVersionOne() {
        Schema v1 = SchemaHistory.earlierVersionsOf(LayerGeometry.getClassSchema()).get(0);
        LayerValues values =
                json.read(
                        codec.toJson(
                                LayerRecords.split(Golden.dump("two_layers"), "r", 1, null, null)
                                        .get(0)));
        assertThat(AvroCodec.singleObjectFingerprint(writer.toAvro(values), v1))
                .isEqualTo(SchemaNormalization.parsingFingerprint64(v1));
    }

    @Test
    void pythonsFormsAreRead() {
        // integers written as floats, an ISO timestamp, fields of a later version, nulls for the
        // optional ones
        LayerValues v =
                json.read(
                        bytes(
                                """
                                {"run_id":"r","checkpoint":1200.0,"layer":0,"num_layers":1,"num_heads":2,"future":{"a":[1,{"b":2}]},
                                 "metric_singvals_per_head":[[3,2.5],[1e-3]],"mean_attention_entropy_per_head":[1,0.5],
                                 "model":null,"emitted_at":"2026-12-07T06:00:00Z","tags":null,"max_attention_logit_per_head":null,
                                 "probe_tokens":null,"qk_norm":null}\
                                """));
        assertThat(v.checkpoint()).isEqualTo(1200);
        assertThat(v.singularValues()[0]).containsExactly(3, 2.5);
        assertThat(v.singularValues()[1]).containsExactly(1e-3);
        assertThat(v.emittedAt()).isEqualTo(Instant.parse("2026-12-07T06:00:00Z").toEpochMilli());
        assertThat(v.tags()).isEmpty();
        assertThat(v.maxLogit()).isNull();
        assertThat(v.qkNorm()).isFalse();
    }

    @Test
    void refusesWhatTheCodecRefusesWithTheSameMessage() {
        ObjectNode good =
                AvroJson.toJson(
                        LayerRecords.split(Golden.dump("two_layers"), "r", 1, null, null).get(0));
        List<String> bad = new ArrayList<>();
        bad.add(without(good, "num_heads"));
        bad.add(with(good, "run_id", "5"));
        bad.add(with(good, "checkpoint", "1.5"));
        bad.add(with(good, "layer", "4294967296"));
        bad.add(with(good, "checkpoint", "123456789012345678901234567890"));
        bad.add(with(good, "metric_singvals_per_head", "[[1,\"2\"]]"));
        bad.add(with(good, "metric_singvals_per_head", "[3]"));
        bad.add(with(good, "mean_attention_entropy_per_head", "null"));
        bad.add(with(good, "emitted_at", "\"yesterday\""));
        bad.add(with(good, "tags", "{\"a\":1}"));
        bad.add(with(good, "tags", "[]"));
        bad.add(with(good, "qk_norm", "1"));
        bad.add("[1,2]");
        for (String value : bad) {
            Throwable expected = catchThrowable(() -> codec.decode(bytes(value)));
            assertThat(expected).as(value).isInstanceOf(AvroCodec.MalformedException.class);
            assertThatThrownBy(() -> json.read(bytes(value)))
                    .as(value)
                    .isInstanceOf(AvroCodec.MalformedException.class)
                    .hasMessage(expected.getMessage());
        }
    }

    @Test
    void refusesWhatIsNotOneJsonObject() {
        String good =
                AvroJson.toJsonLine(
                        LayerRecords.split(Golden.dump("two_layers"), "r", 1, null, null).get(0));
        assertThatThrownBy(() -> json.read(bytes(good + " {}")))
                .isInstanceOf(AvroCodec.MalformedException.class)
                .hasMessageContaining("Trailing token after the JSON object");
        assertThatThrownBy(() -> json.read(bytes(good.substring(0, good.length() / 2))))
                .isInstanceOf(AvroCodec.MalformedException.class)
                .hasMessageStartingWith("neither Avro single-object encoding nor JSON: ");
        assertThatThrownBy(() -> json.read(new byte[0])).hasMessage("empty value");
        // NaN parses (so that a rule, not the parser, refuses it downstream)
        assertThat(
                        json.read(
                                        bytes(
                                                good.replaceFirst(
                                                        "\"mean_attention_entropy_per_head\":\\[[^,\\]]+",
                                                        "\"mean_attention_entropy_per_head\":[NaN")))
                                .entropy()[0])
                .isNaN();
    }

    @Test
    void agreesWithJacksonOnMutatedRecords() {
        // a small record with every kind of value, then thousands of one-byte edits of it: the two
        // readers accept
        // the same ones (with the same values) and refuse the same ones
        String good =
                """
                {"run_id":"r\\u00e9/\\"x\\"","checkpoint":12,"layer":0,"num_layers":2,"num_heads":2,
                 "metric_singvals_per_head":[[1.5,2e-3,0],[-0.0,1E+2]],"mean_attention_entropy_per_head":[0.25,3],
                 "model":"gpt ✓","emitted_at":1700000000000,"tags":{"lr":"3e-4"},"max_attention_logit_per_head":[1,2],
                 "probe_tokens":64,"qk_norm":false,"extra":[{"a":null},true]}\
                """;
        byte[] base = bytes(good);
        byte[] alphabet = bytes("{}[]\":,.-+eE0123456789 tnfNaI\\u\n");
        java.util.Random random = new java.util.Random(Long.getLong("fuzz.seed", 35));
        int accepted = 0;
        for (int trial = 0; trial < Integer.getInteger("fuzz.trials", 20_000); trial++) {
            byte[] mutated = mutate(base, alphabet, random);
            Throwable old = catchThrowable(() -> codec.decode(mutated));
            Throwable now = catchThrowable(() -> json.read(mutated));
            String what = new String(mutated, StandardCharsets.UTF_8);
            if (old == null) {
                assertThat(now).as("accepted by Jackson: %s", what).isNull();
                assertThat(json.read(mutated))
                        .as(what)
                        .usingRecursiveComparison()
                        .isEqualTo(LayerArrays.values(codec.decode(mutated)));
                accepted++;
            } else {
                assertThat(now)
                        .as("refused by Jackson (%s): %s", old.getMessage(), what)
                        .isInstanceOf(AvroCodec.MalformedException.class);
            }
        }
        assertThat(accepted).as("some edits keep a valid record").isGreaterThan(1000);
    }

    private static byte[] mutate(byte[] base, byte[] alphabet, java.util.Random random) {
        int at = random.nextInt(base.length);
        byte c = alphabet[random.nextInt(alphabet.length)];
        return switch (random.nextInt(3)) {
            case 0 -> { // delete
                byte[] out = new byte[base.length - 1];
                System.arraycopy(base, 0, out, 0, at);
                System.arraycopy(base, at + 1, out, at, base.length - at - 1);
                yield out;
            }
            case 1 -> { // insert
                byte[] out = new byte[base.length + 1];
                System.arraycopy(base, 0, out, 0, at);
                out[at] = c;
                System.arraycopy(base, at, out, at + 1, base.length - at);
                yield out;
            }
            default -> { // replace
                byte[] out = base.clone();
                out[at] = c;
                yield out;
            }
        };
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static String without(ObjectNode record, String field) {
        ObjectNode copy = record.deepCopy();
        copy.remove(field);
        return copy.toString();
    }

    private static String with(ObjectNode record, String field, String valueJson) {
        ObjectNode copy = record.deepCopy();
        try {
            copy.set(field, Json.MAPPER.readTree(valueJson));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return copy.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
