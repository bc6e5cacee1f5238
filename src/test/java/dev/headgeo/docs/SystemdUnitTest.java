package dev.headgeo.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.cli.CliTesting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The systemd unit operations.md shows: systemd itself accepts it, and every flag it passes is one
 * `run` has.
 */
class SystemdUnitTest {
    static final Path UNIT = Path.of("examples/systemd/headgeo.service");

    @Test
    void systemdAcceptsTheUnit() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "no systemd-analyze here");
        Process p =
                new ProcessBuilder("systemd-analyze", "verify", UNIT.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("warnings").isBlank();
    }

    @Test
    void everyFlagOfItsCommandIsOneRunHas() throws Exception {
        String exec =
                Files.readAllLines(UNIT).stream()
                        .filter(l -> l.startsWith("ExecStart="))
                        .findFirst()
                        .orElseThrow();
        String help = CliTesting.run("run", "--help").out();
        Matcher flags =
                Pattern.compile(" (--[a-z-]+)").matcher(exec.substring(exec.indexOf(" run ")));
        int n = 0;
        while (flags.find()) {
            assertThat(help).as(flags.group(1)).contains(flags.group(1));
            n++;
        }
        assertThat(n).isPositive();
    }
}
