package dev.headgeo.http;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GET routes, declared once: a pattern of literal segments and {@code {name}} parameters,
 * whether it needs the bearer token, what it answers (which the OpenAPI document is made from) and
 * its handler. The first pattern that matches answers.
 */
final class Routes {
    interface Handler {
        Reply handle(HttpCall call);
    }

    /**
     * What a route answers, for the OpenAPI document.
     *
     * @param mediaTypes what a 200 answer may be
     * @param answer the type of a JSON answer (null: any JSON object, or text)
     * @param errors the error statuses particular to it, each with an {@code ApiError} (those every
     *     route may answer are the document's)
     * @param params its path and query parameters (each path segment {@code {name}} needs one)
     */
    record Operation(
            String id,
            String summary,
            List<String> mediaTypes,
            Type answer,
            List<Integer> errors,
            List<Param<?>> params) {
        static Operation json(String id, String summary, Type answer, Integer... errors) {
            return new Operation(
                    id, summary, List.of(Reply.JSON), answer, List.of(errors), List.of());
        }

        static Operation text(
                String id, String summary, List<String> mediaTypes, Integer... errors) {
            return new Operation(id, summary, mediaTypes, null, List.of(errors), List.of());
        }

        Operation with(Param<?>... declared) {
            List<Param<?>> all = new ArrayList<>(params);
            all.addAll(List.of(declared));
            List<Integer> statuses = new ArrayList<>(errors);
            if (!statuses.contains(400)) {
                statuses.add(400); // a parameter that does not pass
            }
            return new Operation(id, summary, mediaTypes, answer, statuses, List.copyOf(all));
        }
    }

    record Match(Route route, Map<String, String> params) {}

    record Route(
            String pattern,
            boolean open,
            Operation operation,
            Handler handler,
            String[] segments) {}

    private final List<Route> routes = new ArrayList<>();

    /** A route that needs the token (when one is set). */
    Routes get(String pattern, Operation operation, Handler handler) {
        return add(pattern, false, operation, handler);
    }

    /** A route anyone may ask (health and readiness probes). */
    Routes open(String pattern, Operation operation, Handler handler) {
        return add(pattern, true, operation, handler);
    }

    private Routes add(String pattern, boolean open, Operation operation, Handler handler) {
        String[] segments = split(pattern);
        for (String segment : segments) {
            if (segment.startsWith("{")
                    && operation.params().stream()
                            .noneMatch(
                                    p ->
                                            p.in() == Param.In.PATH
                                                    && segment.equals("{" + p.name() + "}"))) {
                throw new IllegalArgumentException(
                        pattern + ": path parameter " + segment + " is not declared");
            }
        }
        routes.add(new Route(pattern, open, operation, handler, segments));
        return this;
    }

    List<Route> all() {
        return List.copyOf(routes);
    }

    /**
     * The route for a raw (still encoded) path, with its decoded parameters; null when none
     * matches.
     */
    Match match(String rawPath) {
        String[] given = split(rawPath);
        for (Route r : routes) {
            if (r.segments().length != given.length) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            boolean ok = true;
            for (int i = 0; i < given.length && ok; i++) {
                String want = r.segments()[i];
                if (want.startsWith("{")) {
                    params.put(
                            want.substring(1, want.length() - 1), HttpCall.decode(given[i], false));
                } else {
                    ok = want.equals(given[i]);
                }
            }
            if (ok) {
                return new Match(r, params);
            }
        }
        return null;
    }

    private static String[] split(String path) {
        return java.util.Arrays.stream(path.split("/"))
                .filter(s -> !s.isEmpty())
                .toArray(String[]::new);
    }
}
