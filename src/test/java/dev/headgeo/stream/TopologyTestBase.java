package dev.headgeo.stream;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test class driving the topology: one {@link TopologyFixture} per test, in its own temporary
 * state dir, closed after it.
 */
abstract class TopologyTestBase {
    @TempDir Path tmp;

    TopologyFixture f;

    /** Starts the topology with {@code settings}; the test's fixture from then on. */
    TopologyFixture fixture(StreamSettings settings) {
        f = new TopologyFixture(tmp, settings);
        return f;
    }

    /** The same with the defaults and a 10-minute checkpoint time-out. */
    TopologyFixture fixture() {
        return fixture(TopologyFixture.settings(Duration.ofMinutes(10)));
    }

    @AfterEach
    void closeFixture() {
        if (f != null) {
            f.close();
        }
    }
}
