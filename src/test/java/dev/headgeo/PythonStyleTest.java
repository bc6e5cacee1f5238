package dev.headgeo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.testing.Python;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's Python (the client, its tests, the tools and examples) passes ruff with the
 * rules of ruff.toml, in the venv tools/python-venv.sh builds (ruff pinned there): lint and format,
 * as Spotless checks the Java.
 */
class PythonStyleTest {
    private static String python;

    @TempDir Path tmp;

    @BeforeAll
    static void findRuff() {
        Optional<String> found = Python.withModules("ruff");
        assumeTrue(found.isPresent(), "no python3 with ruff (bash tools/python-venv.sh)");
        python = found.get();
    }

    @Test
    void everyPythonFileIsLintCleanAndFormatted() throws Exception {
        Python.Run lint = Python.run(python, List.of("-m", "ruff", "check", "--no-cache", "."));
        assertThat(lint.status()).as("ruff check .: %s", lint.output()).isZero();
        Python.Run format =
                Python.run(python, List.of("-m", "ruff", "format", "--check", "--no-cache", "."));
        assertThat(format.status())
                .as("ruff format --check . (fix: ruff format .): %s", format.output())
                .isZero();
    }

    @Test
    void theRulesCatchWhatTheyAreFor() throws Exception {
        Path bad = tmp.resolve("bad.py");
        Files.writeString(
                bad,
                "import os\n\n\n"
                        + "def f(x):\n"
                        + "    try:\n"
                        + "        return x\n"
                        + "    except Exception:\n"
                        + "        pass\n");
        Python.Run lint =
                Python.run(
                        python,
                        List.of(
                                "-m",
                                "ruff",
                                "check",
                                "--no-cache",
                                "--config",
                                Path.of("ruff.toml").toAbsolutePath().toString(),
                                bad.toString()));
        assertThat(lint.status()).isEqualTo(1);
        assertThat(lint.output()).contains("F401", "S110");
    }
}
