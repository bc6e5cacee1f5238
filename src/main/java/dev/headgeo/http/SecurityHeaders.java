package dev.headgeo.http;

import java.util.Map;
import org.eclipse.jetty.http.HttpFields;

/**
 * The headers every answer carries, the dashboard's pages and assets and every error alike: the
 * page runs only its own scripts, is never framed, sends no referrer, and no answer is sniffed into
 * another type.
 */
final class SecurityHeaders {
    /**
     * Scripts, connections and everything else from this origin only; no plugins, no base or form
     * targets, no framing. Styles also inline: ECharts writes {@code style} attributes into its
     * tooltips (no script runs from them).
     */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src"
                    + " 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none';"
                    + " form-action 'none'; frame-ancestors 'none'";

    static final Map<String, String> ALL =
            Map.of(
                    "Content-Security-Policy", CONTENT_SECURITY_POLICY,
                    "X-Content-Type-Options", "nosniff",
                    "X-Frame-Options", "DENY",
                    "Referrer-Policy", "no-referrer");

    private SecurityHeaders() {}

    static void addTo(HttpFields.Mutable headers) {
        ALL.forEach(headers::put);
    }
}
