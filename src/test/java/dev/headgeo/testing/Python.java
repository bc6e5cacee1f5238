package dev.headgeo.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a python3 that can import what a test needs (Debian's /usr/bin/python3 first) and runs it.
 */
public final class Python {
    private Python() {}

    public record Run(int status, String output) {}

    /**
     * The venv tools/python-venv.sh builds (torch 2.13, transformers, lightning from the machine's
     * wheels; it sees Debian's packages too): {@code HEADGEO_PYTHON}, else its default place.
     */
    public static final String VENV_PYTHON =
            Optional.ofNullable(System.getenv("HEADGEO_PYTHON"))
                    .orElse(System.getProperty("user.home") + "/.cache/headgeo/venv/bin/python");

    /**
     * The first interpreter that imports every module, if any: the project's venv first, then
     * Debian's python3.
     */
    public static Optional<String> withModules(String... modules) {
        for (String candidate : List.of(VENV_PYTHON, "/usr/bin/python3", "python3")) {
            try {
                if (run(candidate, List.of("-c", "import " + String.join(", ", modules))).status()
                        == 0) {
                    return Optional.of(candidate);
                }
            } catch (IOException e) {
                // not installed: try the next one
            }
        }
        return Optional.empty();
    }

    /**
     * The client package as the interpreter sees it: clients/python on its path, as `pip install
     * ./clients/python` would.
     */
    public static final String PACKAGE_DIR =
            java.nio.file.Path.of("clients/python").toAbsolutePath().toString();

    /**
     * {@code python args…} from the repository root, seeing the headgeo client package; stdout and
     * stderr together.
     */
    public static ProcessBuilder processBuilder(String python, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(python);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", PACKAGE_DIR);
        return pb;
    }

    /** Runs {@code python args…} from the repository root; stdout and stderr together. */
    public static Run run(String python, List<String> args) throws IOException {
        return run(python, args, java.time.Duration.ofSeconds(120));
    }

    /**
     * The same with a time limit of its own (a training run under torchrun takes longer than a
     * helper).
     */
    public static Run run(String python, List<String> args, java.time.Duration limit)
            throws IOException {
        // output to a file, not a pipe: a chatty program (torchrun, transformers' warnings) would
        // block on a full pipe
        java.nio.file.Path output = java.nio.file.Files.createTempFile("headgeo-python-", ".out");
        try {
            Process p = processBuilder(python, args).redirectOutput(output.toFile()).start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Run(
                        -1,
                        "timed out after "
                                + limit
                                + ":\n"
                                + new String(
                                        java.nio.file.Files.readAllBytes(output),
                                        StandardCharsets.UTF_8));
            }
            return new Run(
                    p.exitValue(),
                    new String(java.nio.file.Files.readAllBytes(output), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            java.nio.file.Files.deleteIfExists(output);
        }
    }
}
