package dev.headgeo.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The dashboard's files (the page, its ES modules and style sheet), the ECharts library from its
 * webjar, and the reference page.
 */
final class StaticAssets {
    private static final String DASHBOARD = "dashboard/";
    private static final String ECHARTS =
            "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

    /** Plain file names only: nothing outside the dashboard's folder can be asked for. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*\\.(js|css)");

    private StaticAssets() {}

    static Reply page() {
        return load(DASHBOARD + "index.html");
    }

    /**
     * docs/reference.md (commands, topics, every report field with its key), as plain text a
     * browser shows.
     */
    static Reply reference() {
        return load("docs/reference.md");
    }

    /** {@code /assets/{file}}. */
    static Reply asset(String file) {
        if (file.equals("echarts.min.js")) {
            return load(ECHARTS);
        }
        if (!NAME.matcher(file).matches()) {
            throw HttpError.notFound("no asset " + Quote.of(file));
        }
        return load(DASHBOARD + file);
    }

    private static Reply load(String resource) {
        try (InputStream in = StaticAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw HttpError.notFound(
                        "no asset " + resource.substring(resource.lastIndexOf('/') + 1));
            }
            String type =
                    resource.endsWith(".html")
                            ? "text/html; charset=utf-8"
                            : resource.endsWith(".css")
                                    ? "text/css; charset=utf-8"
                                    : resource.endsWith(".md")
                                            ? "text/plain; charset=utf-8"
                                            : "text/javascript; charset=utf-8";
            // the library never changes under its versioned path; the page's own files do with each
            // release
            return new Reply(
                    200,
                    type,
                    in.readAllBytes(),
                    Map.of(
                            "Cache-Control",
                            resource.equals(ECHARTS) ? "max-age=86400" : "no-cache"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
