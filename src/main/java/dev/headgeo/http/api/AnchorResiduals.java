package dev.headgeo.http.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The mean residual of each anchor's fit (null: no fit, or not a finite number). */
public record AnchorResiduals(
        @JsonProperty("LAST") @Nullable Double last,
        @JsonProperty("MIDDLE") @Nullable Double middle,
        @JsonProperty("BEST") @Nullable Double best) {
    public static final AnchorResiduals NONE = new AnchorResiduals(null, null, null);
}
