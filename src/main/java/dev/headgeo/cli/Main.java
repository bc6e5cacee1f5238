package dev.headgeo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar headgeo.jar COMMAND …}: picocli wiring of the subcommands; no logic here. */
@Command(name = "headgeo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Live SA-schedule analysis of attention head geometry on Kafka Streams.",
        subcommands = {AnalyzeCommand.class, RunCommand.class, PublishCommand.class, WatchCommand.class, DemoCommand.class, BrokerCommand.class, BenchCommand.class})
public final class Main {
    /** Exit status for bad input or bad usage: one line on stderr, no stack trace. */
    public static final int USAGE = 2;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExitCodeExceptionMapper(e -> e instanceof UserError ? USAGE : 1);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UserError) {
                commandLine.getErr().println("headgeo " + commandLine.getCommandName() + ": " + e.getMessage());
                return USAGE;
            }
            commandLine.getErr().println("headgeo " + commandLine.getCommandName() + ": " + e);
            return 1;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("headgeo " + c.getCommandName() + ": " + e.getMessage() + " (see --help)");
            return USAGE;
        });
        return cli;
    }

    /** The jar's version from its manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"headgeo " + (v == null ? "dev" : v)};
        }
    }
}
