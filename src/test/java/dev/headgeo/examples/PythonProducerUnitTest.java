package dev.headgeo.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.testing.Python;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client package's own unit tests (helpers, validation, every attention layout), run
 * with the project's tests.
 */
class PythonProducerUnitTest {
    @Test
    void pythonUnitTestsPass() throws Exception {
        Optional<String> python = Python.withModules("numpy");
        assumeTrue(python.isPresent(), "no python3 with numpy");
        Python.Run run =
                Python.run(
                        python.get(),
                        List.of("-m", "unittest", "discover", "-s", "clients/python/tests", "-v"));

        assertThat(run.status()).as(run.output()).isZero();
        // Every test written in the package ran: a file unittest cannot import would drop out
        // silently.
        assertThat(run.output()).contains("Ran " + testsWritten() + " tests").contains("OK");
    }

    private static long testsWritten() throws java.io.IOException {
        long count = 0;
        try (var files = java.nio.file.Files.list(Path.of("clients/python/tests"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().matches("test_.*\\.py")) {
                    count +=
                            java.nio.file.Files.readAllLines(file).stream()
                                    .filter(l -> l.strip().startsWith("def test_"))
                                    .count();
                }
            }
        }
        return count;
    }

    @Test
    void thePackageInstallsOfflineIntoAVenvThatSeesDebiansPackages(@TempDir Path tmp)
            throws Exception {
        Optional<String> python = Python.withModules("numpy", "venv", "setuptools");
        assumeTrue(
                python.isPresent(),
                "no python3 with venv, pip and setuptools (apt-get install python3-venv python3-pip"
                        + " python3-setuptools)");
        Path source = tmp.resolve("src");
        copy(Path.of("clients/python"), source);
        Path venv = tmp.resolve("venv");
        Python.Run made =
                Python.run(
                        python.get(),
                        List.of("-m", "venv", "--system-site-packages", venv.toString()));
        assertThat(made.status()).as(made.output()).isZero();
        String venvPython = venv.resolve("bin/python").toString();
        Python.Run installed =
                Python.run(
                        venvPython,
                        List.of(
                                "-m",
                                "pip",
                                "install",
                                "--no-build-isolation",
                                "--no-index",
                                source.toString()));
        assertThat(installed.status()).as(installed.output()).isZero();
        assertThat(installed.output()).contains("Successfully installed headgeo-0.6.0");
        Process p =
                new ProcessBuilder(
                                venvPython,
                                "-c",
                                "import headgeo; print(headgeo.__version__, headgeo.__file__)")
                        .directory(tmp.toFile())
                        .redirectErrorStream(true)
                        .start();
        String out =
                new String(
                        p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).startsWith("0.6.0 " + venv.toRealPath());
    }

    static void copy(Path from, Path to) throws java.io.IOException {
        try (var paths = java.nio.file.Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (p.toString().contains("__pycache__")
                        || p.toString().contains(".egg-info")
                        || p.toString().contains("/build")) {
                    continue;
                }
                Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
    }
}
