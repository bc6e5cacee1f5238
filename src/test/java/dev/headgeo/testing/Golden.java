package dev.headgeo.testing;

import dev.headgeo.dump.Dump;
import dev.headgeo.dump.DumpReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The golden fixtures under {@code src/test/resources/golden}: dumps written by {@code
 * tools/make_fixtures.py} and the reference script's output for each anchor.
 */
public final class Golden {
    private static final Path DIR = directory();

    private Golden() {}

    /**
     * Where the fixtures are: the dumps and the script's printed output ({@code NAME.ANCHOR.txt}).
     */
    public static Path directory() {
        URL url = Golden.class.getResource("/golden");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Names of all fixtures, for example {@code drift_32x32x128}. */
    public static List<String> names() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> (n.endsWith(".json") || n.endsWith(".json.gz")))
                    .map(n -> n.replaceAll("\\.json(\\.gz)?$", ""))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The dump's JSON text. */
    public static String dumpText(String name) {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Dump dump(String name) {
        try (InputStream in = open(name)) {
            return DumpReader.read(in, name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A path to the dump as a plain JSON file (unzipped into {@code dir} when stored gzipped). */
    public static Path dumpFile(String name, Path dir) {
        Path plain = DIR.resolve(name + ".json");
        if (Files.exists(plain)) {
            return plain;
        }
        Path out = dir.resolve(name + ".json");
        try {
            Files.writeString(out, dumpText(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** What the reference script printed for {@code anchor} (last, middle or best). */
    public static String scriptOutput(String name, String anchor) {
        try {
            return Files.readString(DIR.resolve(name + "." + anchor + ".txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String name) throws IOException {
        Path plain = DIR.resolve(name + ".json");
        if (Files.exists(plain)) {
            return Files.newInputStream(plain);
        }
        return new GZIPInputStream(Files.newInputStream(DIR.resolve(name + ".json.gz")));
    }
}
