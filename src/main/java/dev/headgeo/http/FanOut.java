package dev.headgeo.http;

import dev.headgeo.avro.Alert;
import dev.headgeo.http.api.AlertsPage;
import dev.headgeo.http.api.ApiJson;
import dev.headgeo.http.api.InstanceRuns;
import dev.headgeo.http.api.KeptHistory;
import dev.headgeo.http.api.RunSummary;
import dev.headgeo.http.api.RunsPage;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * Answers that gather what every instance holds: this instance's part from its own stores, the
 * others' from {@link InstanceRouter}, merged as typed answers. An instance asked with the local
 * header answers from its own stores only. Who did not answer is listed in {@code
 * missing_instances}, never an error alone.
 */
final class FanOut {
    /** A run's copy on some instance: the active one wins, then the most advanced standby copy. */
    private static final Comparator<Copy> PREFERRED =
            Comparator.comparing(Copy::active)
                    .thenComparing(
                            c -> c.summary().lastCheckpoint(),
                            Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparingInt(c -> c.summary().checkpoints())
                    .thenComparing(
                            c -> c.summary().lastReportAt(),
                            Comparator.nullsFirst(Comparator.naturalOrder()));

    private record Copy(RunSummary summary, boolean active) {}

    /**
     * Exports formatted at once on this instance; more are turned away (each holds a run's kept
     * history in memory).
     */
    static final int MAX_CONCURRENT_EXPORTS = 4;

    private final Supplier<RunViews> views;
    private final InstanceRouter router;
    private final java.util.concurrent.Semaphore exports =
            new java.util.concurrent.Semaphore(MAX_CONCURRENT_EXPORTS);

    private final RunFinder finder;

    FanOut(Supplier<RunViews> views, InstanceRouter router, RunLookups lookups) {
        this.views = views;
        this.router = router;
        this.finder = new RunFinder(views, router, lookups);
    }

    /** Single-run answers (a run's page, a report), found as {@link RunFinder} finds them. */
    RunFinder finder() {
        return finder;
    }

    static boolean local(HttpCall call) {
        return call.header(InstanceRouter.LOCAL_HEADER) != null;
    }

    /** {@code /api/runs}: every run any reachable instance holds, one entry each, by run id. */
    Reply runs(HttpCall call) {
        if (local(call)) {
            return Reply.ok(ownRuns(views.get()).toWire());
        }
        List<String> missing = new ArrayList<>();
        List<Copy> all = new ArrayList<>();
        InstanceRuns mine = mine(() -> ownRuns(views.get()), missing);
        if (mine != null) {
            add(all, mine);
        }
        InstanceRouter.Gathered others = router.askOthers("/api/runs");
        missing.addAll(others.missing());
        for (InstanceRouter.Answer a : others.answers()) {
            InstanceRuns theirs =
                    a.status() == 200 ? parse(a, InstanceRuns::fromWire, missing) : null;
            if (theirs != null) {
                add(all, theirs);
            }
        }
        Map<String, Copy> best = new LinkedHashMap<>();
        for (Copy c : all) {
            best.merge(c.summary().runId(), c, (x, y) -> PREFERRED.compare(y, x) > 0 ? y : x);
        }
        List<RunSummary> runs =
                best.values().stream()
                        .map(Copy::summary)
                        .sorted(Comparator.comparing(RunSummary::runId))
                        .toList();
        return Reply.ok(new RunsPage(runs, missing));
    }

    private static void add(List<Copy> all, InstanceRuns runs) {
        runs.active().forEach(s -> all.add(new Copy(s, true)));
        runs.standby().forEach(s -> all.add(new Copy(s, false)));
    }

    /** This instance's runs: those it processes, and those it keeps only a standby copy of. */
    private static InstanceRuns ownRuns(RunViews v) {
        List<RunSummary> active = v.runSummaries(RunViews.Scope.ACTIVE);
        Set<String> activeIds = active.stream().map(RunSummary::runId).collect(Collectors.toSet());
        List<RunSummary> standby =
                v.runSummaries(RunViews.Scope.ANY).stream()
                        .filter(s -> !activeIds.contains(s.runId()))
                        .toList();
        return new InstanceRuns(active, standby);
    }

    /** {@code /api/alerts?run=&limit=&before=}: newest first across instances, one page. */
    Reply alerts(HttpCall call) {
        int limit = ApiParams.LIMIT.from(call);
        AlertPages.Cursor before = ApiParams.BEFORE.from(call);
        String run = ApiParams.ALERTS_OF_RUN.from(call);
        List<String> missing = new ArrayList<>();
        List<Alert> kept = mine(() -> views.get().alerts(RunViews.Scope.ANY, run), missing);
        AlertPages.Page own =
                AlertPages.page(kept == null ? List.of() : kept, before, limit, false);
        if (local(call)) {
            return Reply.ok(new AlertsPage(own.alerts(), own.nextBefore(), missing));
        }
        List<Alert> all = new ArrayList<>(own.alerts());
        boolean full = own.more();
        InstanceRouter.Gathered others = router.askOthers(call.rawPathAndQuery());
        missing.addAll(others.missing());
        for (InstanceRouter.Answer a : others.answers()) {
            AlertsPage theirs =
                    a.status() == 200
                            ? parse(a, body -> ApiJson.read(body, AlertsPage.class), missing)
                            : null;
            if (theirs != null) {
                all.addAll(theirs.alerts());
                full |= theirs.nextBefore() != null;
            }
        }
        AlertPages.Page page = AlertPages.page(all, before, limit, full);
        return Reply.ok(new AlertsPage(page.alerts(), page.nextBefore(), missing));
    }

    /**
     * {@code /api/runs/{run}/export?format=csv|jsonl}: the kept history found like the run (its
     * owner's copy), formatted here; between instances it travels as a {@link KeptHistory}.
     */
    Reply export(HttpCall call) {
        String run = ApiParams.RUN.from(call);
        RunExport.Format format = ApiParams.FORMAT.from(call);
        if (local(call)) {
            // bounded where the export was asked: each instance formats at most
            // MAX_CONCURRENT_EXPORTS
            return finder.find(
                    call, run, "no kept history of run " + Quote.of(run), v -> v.history(run));
        }
        if (!exports.tryAcquire()) {
            return Reply.error(
                            503,
                            "more than "
                                    + MAX_CONCURRENT_EXPORTS
                                    + " exports at once on this instance; retry in "
                                    + LoadShedding.RETRY_AFTER_SECONDS
                                    + " s")
                    .withHeader("Retry-After", Integer.toString(LoadShedding.RETRY_AFTER_SECONDS));
        }
        boolean handedOver = false;
        try {
            RunViews mine = views.get();
            if (mine.holdsActive(run)) {
                // this instance processes the run: written from its stores as they are read, the
                // permit held until the end
                handedOver = true;
                return Reply.streamed(
                        format.contentType,
                        attachment(run, format),
                        out -> {
                            try {
                                mine.writeExport(run, format, out);
                            } finally {
                                exports.release();
                            }
                        });
            }
            return exportKept(call, run, format);
        } finally {
            if (!handedOver) {
                exports.release();
            }
        }
    }

    private static Map<String, String> attachment(String run, RunExport.Format format) {
        return Map.of(
                "Content-Disposition",
                "attachment; filename=\""
                        + run.replaceAll("[^A-Za-z0-9._-]", "_")
                        + "."
                        + format.extension
                        + "\"");
    }

    private Reply exportKept(HttpCall call, String run, RunExport.Format format) {
        Reply found =
                finder.find(
                        call, run, "no kept history of run " + Quote.of(run), v -> v.history(run));
        if (found.status() != 200) {
            return found;
        }
        KeptHistory history =
                ApiJson.read(
                        new String(found.body(), java.nio.charset.StandardCharsets.UTF_8),
                        KeptHistory.class);
        return new Reply(
                200,
                format.contentType,
                RunExport.render(history, format).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                attachment(run, format));
    }

    /**
     * This instance's part of a fan-out: null when it cannot read its stores now, in which case it
     * is one of the missing.
     */
    static <T> T mine(Supplier<T> read, List<String> missing) {
        try {
            return read.get();
        } catch (HttpError | InvalidStateStoreException e) {
            missing.add("this instance (" + e.getMessage() + ")");
            return null;
        }
    }

    /** Another instance's answer, read; one that cannot be read counts as missing. */
    private static <T> T parse(
            InstanceRouter.Answer a, Function<String, T> read, List<String> missing) {
        try {
            return read.apply(a.body());
        } catch (UncheckedIOException | IllegalArgumentException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            missing.add(
                    a.instance()
                            + " (unreadable answer: "
                            + (why.length() > 120 ? why.substring(0, 120) + "…" : why)
                            + ")");
            return null;
        }
    }
}
