package dev.headgeo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Mistyped commands and options: one line naming the problem and the likely intent, exit 2; -V on
 * every command.
 */
class CommandLineErrorsTest {
    @Test
    void aMistypedCommandGetsADidYouMean() {
        CliTesting.Result r = CliTesting.run("analyse", "dump.json");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "headgeo: unknown command 'analyse' (did you mean analyze?); commands:"
                            + " analyze, run, reset, publish, watch, forward, demo, broker, bench,"
                            + " forecast-bench, loadtest");
    }

    @Test
    void anUnrelatedWordGetsNoFarFetchedSuggestion() {
        CliTesting.Result r = CliTesting.run("frobnicate");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err())
                .startsWith("headgeo: unknown command 'frobnicate'; commands: ")
                .doesNotContain("did you mean");
    }

    @Test
    void aMistypedOptionNamesTheOneMeant() {
        CliTesting.Result r = CliTesting.run("run", "--bootstrap-server", "x:9092");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "headgeo run: unknown option '--bootstrap-server' (did you mean"
                                + " --bootstrap-servers?) (see --help)");
    }

    @Test
    void everyCommandPrintsTheVersion() {
        for (String command :
                new String[] {
                    "run", "reset", "publish", "watch", "forward", "demo", "analyze", "loadtest"
                }) {
            CliTesting.Result r = CliTesting.run(command, "-V");
            assertThat(r.status()).as(command).isZero();
            assertThat(r.out().strip()).as(command).matches("headgeo (dev|\\d+\\.\\d+\\.\\d+.*)");
        }
    }

    @Test
    void publishNamesTheOneSettingThatIsWrong() {
        CliTesting.Result negative =
                CliTesting.run("publish", "dump.json", "--run", "r", "--checkpoint", "-5");
        assertThat(negative.status()).isEqualTo(2);
        assertThat(negative.err().strip())
                .isEqualTo("headgeo publish: --checkpoint must be 0 or more, got -5");
        CliTesting.Result empty =
                CliTesting.run("publish", "dump.json", "--run", "", "--checkpoint", "5");
        assertThat(empty.status()).isEqualTo(2);
        assertThat(empty.err().strip()).isEqualTo("headgeo publish: --run must not be empty");
    }

    @Test
    void anUpgradeFromAReleaseThereIsNoneForIsOneLineAndExit2() {
        CliTesting.Result r =
                CliTesting.run(
                        "run", "--upgrade-from", "0.3", "--bootstrap-servers", "127.0.0.1:9");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "headgeo run: --upgrade-from '0.3' is not a release this one upgrades from:"
                                + " 0.1, 0.4 or 0.5 (later releases need none)");
    }

    @Test
    void everyCommandsSummaryInTheTopLevelHelpIsASentence() {
        CliTesting.Result r = CliTesting.run("--help");
        assertThat(r.status()).isZero();
        String commands = r.out().substring(r.out().indexOf("Commands:") + "Commands:".length());
        for (String line : commands.strip().split("\n")) {
            assertThat(line.strip()).as(line).doesNotEndWith(":");
        }
        assertThat(commands).contains("forecast-bench");
    }

    @Test
    void editDistanceIsLevenshtein() {
        assertThat(Main.editDistance("analyse", "analyze")).isEqualTo(1);
        assertThat(Main.editDistance("", "abc")).isEqualTo(3);
        assertThat(Main.editDistance("kitten", "sitting")).isEqualTo(3);
    }
}
