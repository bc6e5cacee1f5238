package dev.headgeo.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The jar of an earlier release, built from its commit in this repository's history (git archive,
 * then mvn package) the first time a test asks, and kept under ~/.cache/headgeo/releases/COMMIT/
 * for the next runs.
 */
public final class PreviousRelease {
    private PreviousRelease() {}

    /**
     * @return the jar, or throws with the build's last lines when it cannot be made
     */
    public static synchronized Path jar(String commit) throws IOException, InterruptedException {
        Path dir =
                Path.of(System.getProperty("user.home"), ".cache", "headgeo", "releases", commit);
        Path jar = dir.resolve("headgeo.jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        Path src = Files.createTempDirectory("headgeo-release-" + commit);
        try {
            run(
                    List.of("bash", "-c", "git archive " + commit + " | tar -x -C " + src),
                    Path.of("."),
                    120);
            run(List.of("mvn", "-q", "-B", "-DskipTests", "package"), src, 900);
            Files.createDirectories(dir);
            Path built = src.resolve("target/headgeo.jar");
            Files.copy(
                    built,
                    dir.resolve("headgeo.jar.tmp"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(
                    dir.resolve("headgeo.jar.tmp"),
                    jar,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return jar;
        } finally {
            dev.headgeo.util.Directories.deleteRecursively(src);
        }
    }

    private static void run(List<String> command, Path dir, long seconds)
            throws IOException, InterruptedException {
        File log = File.createTempFile("headgeo-release-build", ".log");
        Process p =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log)
                        .start();
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        List<String> out = Files.readAllLines(log.toPath());
        log.delete();
        if (!done || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(
                    String.join(" ", command)
                            + " failed: "
                            + String.join(
                                    "\n", out.subList(Math.max(0, out.size() - 20), out.size())));
        }
    }
}
