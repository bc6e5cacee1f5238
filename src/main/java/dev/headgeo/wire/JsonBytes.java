package dev.headgeo.wire;

import ch.randelshofer.fastdoubleparser.JsonDoubleParser;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over one JSON document in UTF-8 bytes, for {@link LayerJsonReader}: values are read
 * where they stand, a number straight from its bytes (FastDoubleParser's JSON grammar, correctly
 * rounded), without a token object or a copy into a character buffer. Jackson's tokenizer spent
 * more time copying the 131,072 numbers of a 32 x 32 x 128 checkpoint into its text buffer than
 * converting them (issue #35).
 *
 * <p>The grammar is RFC 8259's, plus what {@link Json#MAPPER} reads too: {@code NaN}, {@code
 * Infinity}, {@code +Infinity} and {@code -Infinity} as numbers (so that a rule, not the parser,
 * refuses them) and a leading byte-order mark. Nesting is bounded like Jackson's (1,000 levels).
 * Every failure is a {@link Syntax} naming the byte offset.
 */
final class JsonBytes {
    /** Jackson's default StreamReadConstraints.maxNestingDepth. */
    private static final int MAX_DEPTH = 1000;

    /** Not JSON (or not one value of the expected kind), at a byte offset. */
    static final class Syntax extends Exception {
        Syntax(String message, int at) {
            super(message + " at byte " + at, null, false, false);
        }
    }

    private final byte[] b;
    private int at;
    private final CharsetDecoder utf8 =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);

    JsonBytes(byte[] bytes) {
        this.b = bytes;
        if (b.length >= 3
                && (b[0] & 0xFF) == 0xEF
                && (b[1] & 0xFF) == 0xBB
                && (b[2] & 0xFF) == 0xBF) {
            at = 3;
        }
    }

    /** The next byte that is not white space, not consumed; -1 at the end. */
    int peek() {
        while (at < b.length) {
            byte c = b[at];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return c & 0xFF;
            }
            at++;
        }
        return -1;
    }

    boolean atEnd() {
        return peek() == -1;
    }

    int offset() {
        return at;
    }

    /** Consumes {@code c} (after white space) if it is next. */
    boolean consume(char c) {
        if (peek() == c) {
            at++;
            return true;
        }
        return false;
    }

    void expect(char c) throws Syntax {
        if (!consume(c)) {
            throw new Syntax("expected '" + c + "' but found " + found(), at);
        }
    }

    /**
     * After a member or an element: true when {@code close} ended the container, false after a
     * comma.
     */
    boolean endOrComma(char close) throws Syntax {
        if (consume(',')) {
            return false;
        }
        if (consume(close)) {
            return true;
        }
        throw new Syntax("expected ',' or '" + close + "' but found " + found(), at);
    }

    /** Consumes {@code null} if it is next. */
    boolean consumeNull() throws Syntax {
        if (peek() == 'n') {
            literal("null");
            return true;
        }
        return false;
    }

    /** true or false, or null when the next value is neither (nothing consumed then). */
    Boolean booleanOrNull() throws Syntax {
        int c = peek();
        if (c == 't') {
            literal("true");
            return Boolean.TRUE;
        }
        if (c == 'f') {
            literal("false");
            return Boolean.FALSE;
        }
        return null;
    }

    private void literal(String word) throws Syntax {
        int n = word.length();
        if (at + n > b.length) {
            throw new Syntax("unexpected end of input", b.length);
        }
        for (int i = 0; i < n; i++) {
            if (b[at + i] != word.charAt(i)) {
                throw new Syntax("unrecognized token", at);
            }
        }
        at += n;
        requireDelimiter();
    }

    /** A token must be followed by white space, a structural character or the end. */
    private void requireDelimiter() throws Syntax {
        if (at < b.length) {
            byte c = b[at];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != ',' && c != ']' && c != '}'
                    && c != ':') {
                throw new Syntax("unrecognized token", at);
            }
        }
    }

    /** True when the next value is a string. */
    boolean atString() {
        return peek() == '"';
    }

    /** True when the next value is a number (NaN and the infinities included). */
    boolean atNumber() {
        int c = peek();
        return c == '-' || c == '+' || (c >= '0' && c <= '9') || c == 'N' || c == 'I';
    }

    String string() throws Syntax {
        expect('"');
        int start = at;
        boolean escaped = false;
        while (true) {
            if (at >= b.length) {
                throw new Syntax("unterminated string", start - 1);
            }
            int c = b[at] & 0xFF;
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                throw new Syntax("control character in a string", at);
            }
            if (c == '\\') {
                escaped = true;
                at++;
            }
            at++;
        }
        int end = at++;
        if (!escaped) {
            return decode(start, end);
        }
        StringBuilder out = new StringBuilder(end - start);
        int run = start;
        for (int i = start; i < end; i++) {
            if (b[i] != '\\') {
                continue;
            }
            out.append(decode(run, i));
            char e = (char) b[++i];
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i + 4 >= end) {
                        throw new Syntax("incomplete \\u escape", i);
                    }
                    out.append((char) hex4(i + 1));
                    i += 4;
                }
                default -> throw new Syntax("unrecognized escape \\" + e, i);
            }
            run = i + 1;
        }
        out.append(decode(run, end));
        return out.toString();
    }

    private int hex4(int from) throws Syntax {
        if (from + 4 > b.length) {
            throw new Syntax("incomplete \\u escape", from);
        }
        int v = 0;
        for (int i = from; i < from + 4; i++) {
            int d = Character.digit(b[i], 16);
            if (d < 0) {
                throw new Syntax("bad \\u escape", i);
            }
            v = v * 16 + d;
        }
        return v;
    }

    private String decode(int from, int to) throws Syntax {
        boolean ascii = true;
        for (int i = from; i < to && ascii; i++) {
            ascii = b[i] >= 0;
        }
        if (ascii) {
            return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        }
        try {
            CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(b, from, to - from));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new Syntax("invalid UTF-8", from);
        }
    }

    /** The number's bytes as a double, correctly rounded. */
    double number() throws Syntax {
        int start = numberToken();
        int c = b[start];
        if (c == 'N' || c == 'I' || c == '+' || (c == '-' && b[start + 1] == 'I')) {
            return nonNumeric(start, at);
        }
        if (!rfc8259Number(start, at)) {
            throw new Syntax("malformed number", start);
        }
        try {
            return JsonDoubleParser.parseDouble(b, start, at - start);
        } catch (NumberFormatException e) {
            throw new Syntax("malformed number", start);
        }
    }

    /**
     * {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}: the parser alone lets leading zeros
     * through.
     */
    private boolean rfc8259Number(int from, int to) {
        int i = from;
        if (i < to && b[i] == '-') {
            i++;
        }
        if (i >= to || !digit(b[i])) {
            return false;
        }
        if (b[i] == '0') {
            i++;
        } else {
            while (i < to && digit(b[i])) {
                i++;
            }
        }
        if (i < to && b[i] == '.') {
            int first = ++i;
            while (i < to && digit(b[i])) {
                i++;
            }
            if (i == first) {
                return false;
            }
        }
        if (i < to && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < to && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int first = i;
            while (i < to && digit(b[i])) {
                i++;
            }
            if (i == first) {
                return false;
            }
        }
        return i == to;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    /**
     * The number as a long when it is written as an integer that fits one; null when it has a
     * fraction or an exponent, or does not fit (the caller then reads it with {@link #number}:
     * nothing is consumed).
     */
    Long integerOrNull() throws Syntax {
        int mark = at;
        int start = numberToken();
        int i = start;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        boolean integral = i < at && b[i] >= '0' && b[i] <= '9' && !(b[i] == '0' && at - i > 1);
        for (; integral && i < at; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
                integral = false;
            } else {
                v = v * 10 + d;
            }
        }
        at = mark;
        if (!integral) {
            return null;
        }
        numberToken();
        return negative ? -v : v;
    }

    /** Consumes a number's bytes (to the next delimiter); returns where they start. */
    private int numberToken() throws Syntax {
        peek();
        int start = at;
        while (at < b.length) {
            byte c = b[at];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',' || c == ']' || c == '}'
                    || c == ':') {
                break;
            }
            at++;
        }
        if (at == start) {
            throw new Syntax("expected a number but found " + found(), start);
        }
        return start;
    }

    private double nonNumeric(int from, int to) throws Syntax {
        String word = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        return switch (word) {
            case "NaN" -> Double.NaN;
            case "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new Syntax("malformed number", from);
        };
    }

    /** Skips one value of any kind, checking its syntax. */
    void skipValue() throws Syntax {
        skipValue(0);
    }

    private void skipValue(int depth) throws Syntax {
        if (depth > MAX_DEPTH) {
            throw new Syntax("nesting deeper than " + MAX_DEPTH, at);
        }
        int c = peek();
        switch (c) {
            case '{' -> {
                at++;
                if (consume('}')) {
                    return;
                }
                do {
                    string();
                    expect(':');
                    skipValue(depth + 1);
                } while (!endOrComma('}'));
            }
            case '[' -> {
                at++;
                if (consume(']')) {
                    return;
                }
                do {
                    skipValue(depth + 1);
                } while (!endOrComma(']'));
            }
            case '"' -> string();
            case 't', 'f' -> booleanOrNull();
            case 'n' -> consumeNull();
            default -> {
                if (!atNumber()) {
                    throw new Syntax("unexpected " + found(), at);
                }
                number();
            }
        }
    }

    private String found() {
        int c = peek();
        if (c == -1) {
            return "the end of input";
        }
        return c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("byte 0x%02X", c);
    }
}
