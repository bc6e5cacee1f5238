package dev.headgeo.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Every error answer: one line; on a 503 from a fan-out, also the instances that did not answer.
 */
public record ApiError(
        String error, @JsonInclude(JsonInclude.Include.NON_NULL) List<String> missingInstances) {
    public ApiError(String error) {
        this(error, null);
    }
}
