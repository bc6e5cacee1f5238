package dev.headgeo.dump;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.analysis.GeometryRules;
import dev.headgeo.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a dump in the reference script's layout and checks every layer record rule (README, "Layer
 * record rules"), so that a bad file is refused with one line naming what is wrong and where. Rows
 * are taken in list order, as the script does; other fields are ignored.
 */
public final class DumpReader {
    private DumpReader() {}

    public static Dump read(Path file) throws DumpException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new DumpException(file + ": no such file");
        } catch (IOException e) {
            throw new DumpException(file + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * @param name how to call the input in messages (a path, or "stdin")
     */
    public static Dump read(InputStream in, String name) throws DumpException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where =
                    at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            // Jackson names the source it was told not to show ("[Source: REDACTED (…); line: 1,
            // column: 1]"): keep the position
            String why = e.getOriginalMessage().replaceAll("\\[Source: REDACTED[^;]*; ", "[");
            throw new DumpException(name + ": invalid JSON" + where + ": " + why);
        } catch (IOException e) {
            throw new DumpException(name + ": cannot read: " + e.getMessage());
        }
        try {
            return parse(root);
        } catch (Problem p) {
            throw new DumpException(name + ": " + p.getMessage());
        }
    }

    private static Dump parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new Problem(
                    "the top level must be a JSON object with num_layers, num_heads, static and"
                            + " dynamic");
        }
        int numLayers = positiveInt(root, "num_layers");
        int numHeads = positiveInt(root, "num_heads");
        JsonNode statics = rows(root, "static", numLayers);
        JsonNode dynamics = rows(root, "dynamic", numLayers);
        double[][][] singularValues = new double[numLayers][][];
        double[][] entropy = new double[numLayers][];
        for (int l = 0; l < numLayers; l++) {
            String staticRow = "static[" + l + "]";
            JsonNode heads = field(statics.get(l), staticRow, "metric_singvals_per_head");
            if (!heads.isArray()) {
                throw new Problem(
                        staticRow + ".metric_singvals_per_head must be an array of arrays");
            }
            singularValues[l] = new double[heads.size()][];
            for (int h = 0; h < heads.size(); h++) {
                singularValues[l][h] =
                        numbers(heads.get(h), staticRow + ".metric_singvals_per_head[" + h + "]");
            }
            check(
                    GeometryRules.singularValuesProblem(
                            staticRow + ".", numHeads, singularValues[l]));
            String dynamicRow = "dynamic[" + l + "]";
            entropy[l] =
                    numbers(
                            field(dynamics.get(l), dynamicRow, "mean_attention_entropy_per_head"),
                            dynamicRow + ".mean_attention_entropy_per_head");
            check(GeometryRules.entropyProblem(dynamicRow + ".", numHeads, entropy[l]));
        }
        return new Dump(numLayers, numHeads, singularValues, entropy);
    }

    private static void check(String problem) {
        if (problem != null) {
            throw new Problem(problem);
        }
    }

    private static int positiveInt(JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null) {
            throw new Problem("missing field " + name);
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
            throw new Problem(name + " must be an integer >= 1, got " + n);
        }
        return n.intValue();
    }

    private static JsonNode rows(JsonNode root, String name, int numLayers) {
        JsonNode n = root.get(name);
        if (n == null) {
            throw new Problem("missing field " + name);
        }
        if (!n.isArray()) {
            throw new Problem(name + " must be an array of per-layer objects");
        }
        if (n.size() != numLayers) {
            throw new Problem(
                    name + " has " + n.size() + " rows, expected num_layers = " + numLayers);
        }
        return n;
    }

    private static JsonNode field(JsonNode row, String where, String name) {
        if (row == null || !row.isObject()) {
            throw new Problem(where + " must be an object");
        }
        JsonNode n = row.get(name);
        if (n == null) {
            throw new Problem(where + " is missing field " + name);
        }
        return n;
    }

    private static double[] numbers(JsonNode n, String where) {
        if (!n.isArray()) {
            throw new Problem(where + " must be an array of numbers");
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = n.get(i);
            if (!v.isNumber()) {
                throw new Problem(where + "[" + i + "] must be a number, got " + v);
            }
            out[i] = v.doubleValue();
        }
        return out;
    }

    /** Unwinds the parse to {@link #read} with one line of explanation. */
    private static final class Problem extends RuntimeException {
        Problem(String message) {
            super(message, null, false, false);
        }
    }
}
