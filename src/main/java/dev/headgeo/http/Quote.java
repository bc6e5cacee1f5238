package dev.headgeo.http;

/**
 * Request input as an error message quotes it: at most {@link #MAX} characters, so a huge path or
 * parameter is not echoed back.
 */
final class Quote {
    static final int MAX = 200;

    private Quote() {}

    /** {@code input}, or its first {@link #MAX} characters and how long it was. */
    static String of(String input) {
        if (input == null || input.length() <= MAX) {
            return input;
        }
        return input.substring(0, MAX) + "… (" + input.length() + " characters)";
    }
}
