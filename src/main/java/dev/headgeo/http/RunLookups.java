package dev.headgeo.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * How single-run requests found their run: in this instance's own stores, where its key says, or
 * only by asking every instance (a producer whose partitioner is not Java's put the run on another
 * partition, see operations.md, or no instance was known for the key), as {@code
 * headgeo_http_run_lookups_total{found}}.
 */
final class RunLookups {
    private final Counter here;
    private final Counter byKey;
    private final Counter byAskingAll;

    RunLookups(MeterRegistry registry) {
        String description =
                "Single-run HTTP requests (a run's page, report or export), by how the run was"
                        + " found: here (this instance processes it), by_key on the instance Java's"
                        + " partitioner names, asking_all when every instance had to be asked";
        this.here =
                Counter.builder("headgeo.http.run.lookups")
                        .tag("found", "here")
                        .description(description)
                        .register(registry);
        this.byKey =
                Counter.builder("headgeo.http.run.lookups")
                        .tag("found", "by_key")
                        .description(description)
                        .register(registry);
        this.byAskingAll =
                Counter.builder("headgeo.http.run.lookups")
                        .tag("found", "asking_all")
                        .description(description)
                        .register(registry);
    }

    void here() {
        here.increment();
    }

    void byKey() {
        byKey.increment();
    }

    void byAskingAll() {
        byAskingAll.increment();
    }
}
