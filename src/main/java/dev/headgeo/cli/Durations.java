package dev.headgeo.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 7d} or ISO-8601 ({@code PT10M}). */
final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** A positive duration. */
    static Duration parse(String option, String text) {
        Duration d = parseNonNegative(option, text);
        if (d.isZero()) {
            throw new UserError(option + " must be positive, got '" + text + "'");
        }
        return d;
    }

    /** A duration that may be zero ({@code 0} alone is accepted too). */
    static Duration parseNonNegative(String option, String text) {
        if (text.strip().equals("0")) {
            return Duration.ZERO;
        }
        String t = text.strip();
        Matcher m = SHORT.matcher(t);
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new UserError(option + " '" + text + "' is not a duration (for example 30s, 10m or PT10M)");
            }
        }
        if (d.isNegative()) {
            throw new UserError(option + " must not be negative, got '" + text + "'");
        }
        return d;
    }
}
