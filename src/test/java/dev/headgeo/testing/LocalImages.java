package dev.headgeo.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The images the container tests use: those tools/local-images.sh built (target/local-images.env),
 * else the public ones. {@link #missing} says in one line why a test cannot run here.
 */
public final class LocalImages {
    public static final Path ENV_FILE = Path.of("target/local-images.env");
    private static final Map<String, String> PUBLIC =
            Map.of(
                    "KAFKA_IMAGE", "apache/kafka:4.1.0",
                    "HEADGEO_IMAGE", "headgeo:latest",
                    "PROMETHEUS_IMAGE", "prom/prometheus:v2.53.0",
                    "ALERTMANAGER_IMAGE", "prom/alertmanager:v0.27.0");

    private LocalImages() {}

    /** Variable → image, as compose reads them from the env file. */
    public static Map<String, String> variables() {
        Map<String, String> out = new LinkedHashMap<>(PUBLIC);
        if (Files.exists(ENV_FILE)) {
            try {
                for (String line : Files.readAllLines(ENV_FILE)) {
                    int eq = line.indexOf('=');
                    if (!line.startsWith("#") && eq > 0) {
                        out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    public static String image(String variable) {
        return variables().get(variable);
    }

    /** Null when a Docker engine answers and every image is present; else why not, in one line. */
    public static String missing(String... variables) {
        if (!docker("info")) {
            return "no Docker engine answers here (start dockerd; .ci/run does)";
        }
        for (String v : variables) {
            String image = image(v);
            if (!docker("image", "inspect", image)) {
                return "image "
                        + image
                        + " ("
                        + v
                        + ") is not here: run tools/local-images.sh where no registry answers";
            }
        }
        return null;
    }

    /** Runs {@code docker ARGS…} for at most a minute; true when it succeeded. */
    public static boolean docker(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        try {
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
