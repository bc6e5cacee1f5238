package dev.headgeo.http.api;

import java.util.List;

/**
 * One instance's own answer to {@code /api/runs} for the instance that gathers them: the runs it processes
 * (active copies) and those it only keeps standby copies of, which lose to an active copy elsewhere.
 */
public record InstanceRuns(List<RunSummary> active, List<RunSummary> standby) {
}
