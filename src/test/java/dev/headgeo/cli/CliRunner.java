package dev.headgeo.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the real command line in-process and captures what it prints. */
final class CliRunner {
    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute(args);
        return new Result(status, out.toString(), err.toString());
    }

    private CliRunner() {
    }
}
