package dev.headgeo.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GET routes, declared once: a pattern of literal segments and {@code {name}} parameters,
 * whether it needs the bearer token, and its handler. The first pattern that matches answers.
 */
final class Routes {
    interface Handler {
        Reply handle(HttpCall call);
    }

    record Match(Route route, Map<String, String> params) {
    }

    record Route(String pattern, boolean open, Handler handler, String[] segments) {
    }

    private final List<Route> routes = new ArrayList<>();

    /** A route that needs the token (when one is set). */
    Routes get(String pattern, Handler handler) {
        return add(pattern, false, handler);
    }

    /** A route anyone may ask (health and readiness probes). */
    Routes open(String pattern, Handler handler) {
        return add(pattern, true, handler);
    }

    private Routes add(String pattern, boolean open, Handler handler) {
        routes.add(new Route(pattern, open, handler, split(pattern)));
        return this;
    }

    /** The route for a raw (still encoded) path, with its decoded parameters; null when none matches. */
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
                    params.put(want.substring(1, want.length() - 1), HttpCall.decode(given[i], false));
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
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }
}
