package dev.headgeo.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.testing.Python;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Python client package's own unit tests (helpers, validation, every attention layout), run with the project's tests. */
class PythonProducerUnitTest {
    @Test
    void pythonUnitTestsPass() throws Exception {
        Optional<String> python = Python.withModules("numpy");
        assumeTrue(python.isPresent(), "no python3 with numpy");
        Python.Run run = Python.run(python.get(), List.of("-m", "unittest", "discover", "-s", "clients/python/tests", "-v"));

        assertThat(run.status()).as(run.output()).isZero();
        assertThat(run.output()).contains("Ran 16 tests").contains("OK");
    }
}
