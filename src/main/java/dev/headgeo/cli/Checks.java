package dev.headgeo.cli;

import java.time.Duration;

/** Range checks of typed option values; a failure is one line for the user. */
final class Checks {
    private Checks() {
    }

    static int positive(String option, int value) {
        if (value <= 0) {
            throw new UserError(option + " must be a positive integer, got " + value);
        }
        return value;
    }

    static Duration positive(String option, Duration value) {
        if (value.isZero()) {
            throw new UserError(option + " must be positive, got 0");
        }
        return value;
    }
}
