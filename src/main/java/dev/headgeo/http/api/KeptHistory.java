package dev.headgeo.http.api;

import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import java.util.List;

/**
 * A run's kept history as one instance holds it, ascending: the summary of every kept checkpoint
 * and the kept full reports. Passed between instances for {@code /api/runs/{run}/export}, which
 * formats it.
 */
public record KeptHistory(List<CheckpointSummary> summaries, List<CheckpointReport> reports) {}
