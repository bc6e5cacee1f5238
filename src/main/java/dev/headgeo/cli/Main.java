package dev.headgeo.cli;

import dev.headgeo.util.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar headgeo.jar COMMAND …}: picocli wiring of the subcommands; no logic here. */
@Command(
        name = "headgeo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Live SA-schedule analysis of attention head geometry on Kafka Streams.",
        subcommands = {
            AnalyzeCommand.class,
            RunCommand.class,
            ResetCommand.class,
            PublishCommand.class,
            WatchCommand.class,
            ForwardCommand.class,
            DemoCommand.class,
            BrokerCommand.class,
            BenchCommand.class,
            ForecastBenchCommand.class,
            LoadTestCommand.class
        })
public final class Main {
    /** Exit status for bad input or bad usage: one line on stderr, no stack trace. */
    public static final int USAGE = 2;

    public static void main(String[] args) {
        dev.headgeo.app.JvmDefaults.apply(System.getProperties());
        int status =
                run(
                        args,
                        System.getenv(),
                        new PrintWriter(System.out, true),
                        new PrintWriter(System.err, true));
        CleanStop.commandExits();
        System.exit(status);
    }

    /** Parses and runs one command line with the given environment; returns the exit status. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli;
        try {
            cli = commandLine(args, env);
        } catch (UserError e) {
            err.println("headgeo: " + e.getMessage());
            return USAGE;
        }
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    /**
     * The configured command line: defaults from the environment and the config file, typed
     * durations, case-insensitive enums, one-line errors.
     *
     * @throws UserError when the config file cannot be read
     */
    static CommandLine commandLine(String[] args, Map<String, String> env) {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(
                Duration.class,
                text -> {
                    try {
                        return Durations.parse(text);
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.TypeConversionException(e.getMessage());
                    }
                });
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setDefaultValueProvider(SettingDefaults.load(args, env));
        cli.setExitCodeExceptionMapper(e -> e instanceof UserError ? USAGE : 1);
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    if (e instanceof UserError) {
                        commandLine
                                .getErr()
                                .println(
                                        "headgeo "
                                                + commandLine.getCommandName()
                                                + ": "
                                                + e.getMessage());
                        return USAGE;
                    }
                    if (e instanceof Failure) {
                        commandLine
                                .getErr()
                                .println(
                                        "headgeo "
                                                + commandLine.getCommandName()
                                                + ": "
                                                + e.getMessage());
                        return 1;
                    }
                    commandLine
                            .getErr()
                            .println("headgeo " + commandLine.getCommandName() + ": " + e);
                    return 1;
                });
        cli.setParameterExceptionHandler(
                (e, ignored) -> {
                    CommandLine c = e.getCommandLine();
                    c.getErr().println(parameterError(c, e));
                    return USAGE;
                });
        // -V on every command, not only on headgeo itself
        Version version = new Version();
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(version));
        return cli;
    }

    /**
     * One line: "headgeo: unknown command 'analyse' (did you mean analyze?)", or the option's
     * problem.
     */
    static String parameterError(CommandLine c, CommandLine.ParameterException e) {
        boolean top = c.getCommandSpec().parent() == null;
        String who = top ? "headgeo" : "headgeo " + c.getCommandName();
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            String typed = first.replaceFirst("=.*", "");
            java.util.List<String> suggestions =
                    u.getSuggestions().stream()
                            .filter(x -> editDistance(typed, x) <= Math.max(2, typed.length() / 3))
                            .toList();
            String hint =
                    suggestions.isEmpty()
                            ? ""
                            : " (did you mean " + String.join(" or ", suggestions) + "?)";
            if (top && !first.startsWith("-")) {
                return who
                        + ": unknown command '"
                        + first
                        + "'"
                        + hint
                        + "; commands: "
                        + String.join(", ", c.getSubcommands().keySet());
            }
            return who
                    + ": unknown "
                    + (first.startsWith("-") ? "option" : "argument")
                    + " '"
                    + first
                    + "'"
                    + hint
                    + " (see --help)";
        }
        return who + ": " + e.getMessage() + " (see --help)";
    }

    /** Levenshtein distance, to keep only suggestions that look like a typo of what was typed. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
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
