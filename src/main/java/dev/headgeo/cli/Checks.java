package dev.headgeo.cli;

import java.time.Duration;

/** Range checks of typed option values; a failure is one line for the user. */
final class Checks {
    private Checks() {}

    static int positive(String option, int value) {
        return (int) positive(option, (long) value);
    }

    static long positive(String option, long value) {
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

    static int atLeast(String option, int value, int least) {
        if (value < least) {
            throw new UserError(option + " must be at least " + least + ", got " + value);
        }
        return value;
    }

    static double nonNegative(String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new UserError(option + " must be a number >= 0, got " + value);
        }
        return value;
    }

    static double fraction(String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new UserError(option + " must be between 0 and 1, got " + value);
        }
        return value;
    }
}
