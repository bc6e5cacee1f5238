package dev.headgeo.http.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.headgeo.avro.Verdict;

/** The verdict of each anchor's fit (null: that anchor has none). */
public record AnchorVerdicts(
        @JsonProperty("LAST") @Nullable Verdict last,
        @JsonProperty("MIDDLE") @Nullable Verdict middle,
        @JsonProperty("BEST") @Nullable Verdict best) {
    public static final AnchorVerdicts NONE = new AnchorVerdicts(null, null, null);
}
