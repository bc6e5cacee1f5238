package dev.headgeo.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.http.api.ApiSchemas;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One HTTP parameter declared once: where it is (path or query), what it means, how it is read and
 * checked (a value that does not pass is a 400 naming the parameter) and the OpenAPI schema of it,
 * bounds, choices and default included, written from the same fields the parser checks against
 * (choices are also taken in upper case).
 *
 * @param <T> what a handler gets
 */
final class Param<T> {
    enum In {
        PATH,
        QUERY;

        String openApiName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String name;
    private final In in;
    private final String description;
    private final Class<?> schemaType;
    private final Function<String, T> read;
    private final T fallback;
    private final Long minimum;
    private final Long maximum;
    private final List<String> choices;

    private Param(
            String name,
            In in,
            String description,
            Class<?> schemaType,
            Function<String, T> read,
            T fallback,
            Long minimum,
            Long maximum,
            List<String> choices) {
        this.name = name;
        this.in = in;
        this.description = description;
        this.schemaType = schemaType;
        this.read = read;
        this.fallback = fallback;
        this.minimum = minimum;
        this.maximum = maximum;
        this.choices = choices;
    }

    /** A path segment taken as it is (percent-decoded): a run id, a file name. */
    static Param<String> pathText(String name, String description) {
        return text(name, In.PATH, description);
    }

    /** A path segment that is a whole number of at least {@code minimum}. */
    static Param<Long> pathLong(String name, String description, long minimum) {
        return new Param<>(
                name,
                In.PATH,
                description,
                Long.class,
                text -> whole(name, text, minimum, Long.MAX_VALUE),
                null,
                minimum,
                null,
                List.of());
    }

    /** An optional query parameter taken as it is; null when absent. */
    static Param<String> queryText(String name, String description) {
        return text(name, In.QUERY, description);
    }

    private static Param<String> text(String name, In in, String description) {
        return new Param<>(
                name,
                in,
                description,
                String.class,
                Function.identity(),
                null,
                null,
                null,
                List.of());
    }

    /**
     * An optional query parameter read by {@code read} (which throws {@link HttpError#badRequest}
     * for what it refuses).
     */
    static <T> Param<T> queryRead(String name, String description, Function<String, T> read) {
        return new Param<>(
                name, In.QUERY, description, String.class, read, null, null, null, List.of());
    }

    /** An optional whole number in [minimum, maximum]; {@code fallback} when absent or empty. */
    static Param<Integer> queryInt(
            String name, String description, int fallback, int minimum, int maximum) {
        return new Param<>(
                name,
                In.QUERY,
                description,
                Integer.class,
                text -> (int) whole(name, text, minimum, maximum),
                fallback,
                (long) minimum,
                (long) maximum,
                List.of());
    }

    /**
     * One of {@code choices} (by their names, case-insensitive); {@code fallback} when absent or
     * empty.
     */
    static <T> Param<T> queryChoice(
            String name, String description, Map<String, T> choices, T fallback) {
        List<String> names = List.copyOf(choices.keySet());
        Function<String, T> read =
                text -> {
                    T chosen = choices.get(text.toLowerCase(Locale.ROOT));
                    if (chosen == null) {
                        throw HttpError.badRequest(
                                name
                                        + " '"
                                        + Quote.of(text)
                                        + "' is not one of "
                                        + String.join(", ", names));
                    }
                    return chosen;
                };
        return new Param<>(
                name, In.QUERY, description, String.class, read, fallback, null, null, names);
    }

    String name() {
        return name;
    }

    In in() {
        return in;
    }

    /**
     * Its value in {@code call}: read and checked, or the fallback when a query parameter is
     * absent.
     */
    T from(HttpCall call) {
        String text = in == In.PATH ? call.path(name) : call.query(name);
        if (text == null || (in == In.QUERY && text.isEmpty())) {
            return fallback;
        }
        return read.apply(text);
    }

    /** The OpenAPI parameter object. */
    ObjectNode openApi(ApiSchemas schemas, ObjectNode parameter) {
        parameter.put("name", name).put("in", in.openApiName()).put("required", in == In.PATH);
        if (description != null) {
            parameter.put("description", description);
        }
        ObjectNode schema = schemas.of(schemaType);
        if (minimum != null) {
            schema.put("minimum", minimum);
        }
        if (maximum != null) {
            schema.put("maximum", maximum);
        }
        if (!choices.isEmpty()) {
            ArrayNode e = schema.putArray("enum");
            choices.forEach(e::add);
        }
        if (fallback != null) {
            if (fallback instanceof Integer n) {
                schema.put("default", n);
            } else {
                choices.stream()
                        .filter(c -> read.apply(c).equals(fallback))
                        .findFirst()
                        .ifPresent(c -> schema.put("default", c));
            }
        }
        parameter.set("schema", schema);
        return parameter;
    }

    private static long whole(String name, String text, long minimum, long maximum) {
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " '" + Quote.of(text) + "' is not a whole number");
        }
        if (n < minimum || n > maximum) {
            throw HttpError.badRequest(
                    maximum == Long.MAX_VALUE
                            ? name + " must be at least " + minimum + ", not " + n
                            : name
                                    + " must be between "
                                    + minimum
                                    + " and "
                                    + maximum
                                    + ", not "
                                    + n);
        }
        return n;
    }
}
