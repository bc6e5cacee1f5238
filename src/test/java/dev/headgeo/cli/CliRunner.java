package dev.headgeo.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the real command line in-process and captures what it prints. */
final class CliRunner {
    record Result(int status, String out, String err) {
        /**
         * Standard output of a command that must have succeeded (exit status 0, nothing on stderr).
         */
        String okOut() {
            if (status != 0 || !err.isEmpty()) {
                throw new AssertionError(
                        "expected exit status 0 and no error output, got " + status + ": " + err);
            }
            return out;
        }
    }

    static Result run(String... args) {
        return runWithEnv(Map.of(), args);
    }

    /** With {@code env} as the whole environment (HEADGEO_* settings). */
    static Result runWithEnv(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    private CliRunner() {}
}
