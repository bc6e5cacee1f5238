package dev.headgeo.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/**
 * What a route sees of a request: path parameters (percent-decoded), query parameters, headers. A
 * parameter that cannot be read is a 400 with a JSON error, never an exception page.
 */
final class HttpCall {
    private final String rawPathAndQuery;
    private final Map<String, String> pathParams;
    private final Map<String, String> query;
    private final Function<String, String> headers;

    HttpCall(
            String rawPathAndQuery,
            Map<String, String> pathParams,
            Map<String, String> query,
            Function<String, String> headers) {
        this.rawPathAndQuery = rawPathAndQuery;
        this.pathParams = pathParams;
        this.query = query;
        this.headers = headers;
    }

    /** The path and query as received (still encoded), to ask another instance the same. */
    String rawPathAndQuery() {
        return rawPathAndQuery;
    }

    String path(String name) {
        return pathParams.get(name);
    }

    /** A query parameter, decoded; null when absent. */
    String query(String name) {
        return query.get(name);
    }

    String header(String name) {
        return headers.apply(name);
    }

    /** Percent-decodes one path segment or query part; {@code +} stays a plus sign in paths. */
    static String decode(String raw, boolean plusIsSpace) {
        try {
            return URLDecoder.decode(
                    plusIsSpace ? raw : raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("bad percent-escape in '" + Quote.of(raw) + "'");
        }
    }

    /**
     * {@code a=1&b=x%20y} → decoded map; a name given twice is a 400 (which one was meant is not
     * ours to guess).
     */
    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            if (out.putIfAbsent(name, value) != null) {
                throw HttpError.badRequest(
                        "query parameter '" + Quote.of(name) + "' is given more than once");
            }
        }
        return out;
    }
}
