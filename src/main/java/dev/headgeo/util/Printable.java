package dev.headgeo.util;

/**
 * Text from records made safe for a log line or a terminal: control characters escaped, long text
 * cut.
 */
public final class Printable {
    /** Longest text shown from a record. */
    public static final int MAX_SHOWN = 200;

    private Printable() {}

    /**
     * {@code \n}, ESC and every other control character as {@code \\uXXXX} (or \n, \t); cut after
     * {@link #MAX_SHOWN} characters.
     */
    public static String of(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_SHOWN) + 8);
        int shown = 0;
        for (int i = 0; i < text.length(); i++) {
            if (shown == MAX_SHOWN) {
                out.append("…(").append(text.length()).append(" characters)");
                break;
            }
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
            shown++;
        }
        return out.toString();
    }

    /**
     * True when {@code text} has a control or format character (newline, ESC, bidi overrides, ...).
     */
    public static boolean hasControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                return true;
            }
        }
        return false;
    }
}
