package dev.headgeo.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Finds a python3 that can import what a test needs (Debian's /usr/bin/python3 first) and runs it. */
public final class Python {
    private Python() {
    }

    public record Run(int status, String output) {
    }

    /** The first interpreter that imports every module, if any. */
    public static Optional<String> withModules(String... modules) {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                if (run(candidate, List.of("-c", "import " + String.join(", ", modules))).status() == 0) {
                    return Optional.of(candidate);
                }
            } catch (IOException e) {
                // not installed: try the next one
            }
        }
        return Optional.empty();
    }

    /** The client package as the interpreter sees it: clients/python on its path, as `pip install ./clients/python` would. */
    public static final String PACKAGE_DIR = java.nio.file.Path.of("clients/python").toAbsolutePath().toString();

    /** {@code python args…} from the repository root, seeing the headgeo client package; stdout and stderr together. */
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
        Process p = processBuilder(python, args).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(-1, "timed out");
            }
            return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
