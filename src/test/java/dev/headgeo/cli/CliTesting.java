package dev.headgeo.cli;

import java.util.Map;

/** The command line in-process, for tests outside the cli package. */
public final class CliTesting {
    public record Result(int status, String out, String err) {}

    private CliTesting() {}

    public static Result run(String... args) {
        CliRunner.Result r = CliRunner.runWithEnv(Map.of(), args);
        return new Result(r.status(), r.out(), r.err());
    }
}
