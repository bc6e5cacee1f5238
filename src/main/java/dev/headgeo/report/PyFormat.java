package dev.headgeo.report;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Python's fixed-point formatting ({@code f"{x:.4f}"}, {@code f"{x:+.3f}"}): rounds the exact
 * binary value half-to-even, keeps the sign of negative values that round to zero, and writes nan /
 * inf as Python does. Java's {@code %.4f} rounds half-up and writes NaN, so it differs.
 */
public final class PyFormat {
    private PyFormat() {}

    /** {@code f"{x:.{digits}f}"}. */
    public static String fixed(double x, int digits) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        String digitsText =
                new BigDecimal(x).abs().setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        boolean negative = x < 0 || (x == 0.0 && 1.0 / x < 0);
        return negative ? "-" + digitsText : digitsText;
    }

    /** {@code f"{x:+.{digits}f}"}. */
    public static String signed(double x, int digits) {
        String s = fixed(x, digits);
        return s.startsWith("-") ? s : "+" + s;
    }

    /** {@code f"{x:>{width}.{digits}f}"}. */
    public static String fixed(double x, int width, int digits) {
        return padLeft(fixed(x, digits), width);
    }

    public static String padLeft(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
