package dev.headgeo.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.headgeo.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAPI document kept in the repository, as a JSON Schema validator (networknt, 2020-12) of
 * live answers: each JSON answer must match the schema its path and status declare, with no
 * undeclared property; a status the document does not name for the path fails too. Remembers which
 * paths were checked, so a test can say every GET endpoint was.
 */
final class ApiContract {
    static final Path DOCUMENT = Path.of("docs/openapi.json");
    private static final String BASE = "https://headgeo.invalid/openapi.json";
    private static final ApiContract KEPT = load();

    private final JsonNode doc;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private final Set<String> checked = ConcurrentHashMap.newKeySet();

    private ApiContract(String document) throws IOException {
        this.doc = Json.MAPPER.readTree(document);
        this.registry =
                SchemaRegistry.withDefaultDialect(
                        SpecificationVersion.DRAFT_2020_12, b -> b.schemas(Map.of(BASE, document)));
    }

    static ApiContract kept() {
        return KEPT;
    }

    private static ApiContract load() {
        try {
            return new ApiContract(Files.readString(DOCUMENT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Path templates ({@code /api/runs/{run}}) whose answers were checked so far, with their
     * status.
     */
    Set<String> checked() {
        return Set.copyOf(checked);
    }

    /**
     * The path template of the document that {@code rawPath} (query allowed) matches; null for
     * none.
     */
    String template(String rawPath) {
        String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
        String[] given = path.split("/", -1);
        for (Iterator<String> it = doc.get("paths").fieldNames(); it.hasNext(); ) {
            String template = it.next();
            String[] want = template.split("/", -1);
            boolean ok = want.length == given.length;
            for (int i = 0; ok && i < want.length; i++) {
                ok = want[i].startsWith("{") ? !given[i].isEmpty() : want[i].equals(given[i]);
            }
            if (ok) {
                return template;
            }
        }
        return null;
    }

    /** Fails unless every line of a JSON-lines body is a {@code component} of the document. */
    void checkLines(String what, String body, String component) {
        Schema schema =
                schemas.computeIfAbsent(
                        component,
                        c ->
                                registry.getSchema(
                                        SchemaLocation.of(BASE + "#/components/schemas/" + c)));
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                List<Error> errors = schema.validate(line, InputFormat.JSON);
                if (!errors.isEmpty()) {
                    throw new AssertionError(
                            what
                                    + ": a line is not a "
                                    + component
                                    + ": "
                                    + errors.stream().limit(5).toList());
                }
            }
        }
    }

    /**
     * Fails unless the document declares this answer: its path, its status and (for JSON) its body.
     *
     * @param contentType the answer's Content-Type header
     */
    void check(String rawPath, int status, String contentType, String body) {
        String template = template(rawPath);
        if (template == null) {
            if (status != 404) {
                throw new AssertionError(
                        "GET "
                                + rawPath
                                + " answered "
                                + status
                                + " but the document has no such path");
            }
            return;
        }
        JsonNode response =
                doc.get("paths")
                        .get(template)
                        .get("get")
                        .get("responses")
                        .get(Integer.toString(status));
        if (response == null) {
            throw new AssertionError(
                    "GET "
                            + rawPath
                            + " answered "
                            + status
                            + ", which the document does not declare for "
                            + template);
        }
        String mediaType = contentType == null ? "" : contentType.split(";")[0].strip();
        if (!response.get("content").has(mediaType)) {
            throw new AssertionError(
                    "GET "
                            + rawPath
                            + " answered "
                            + status
                            + " as "
                            + mediaType
                            + ", declared: "
                            + response.get("content").fieldNames().next());
        }
        if (mediaType.equals(Reply.JSON)) {
            String pointer =
                    "#/paths/"
                            + template.replace("~", "~0").replace("/", "~1")
                            + "/get/responses/"
                            + status
                            + "/content/"
                            + mediaType.replace("/", "~1")
                            + "/schema";
            Schema schema =
                    schemas.computeIfAbsent(
                            pointer, p -> registry.getSchema(SchemaLocation.of(BASE + p)));
            List<Error> errors = schema.validate(body, InputFormat.JSON);
            if (!errors.isEmpty()) {
                String shown = body.length() > 600 ? body.substring(0, 600) + "…" : body;
                throw new AssertionError(
                        "GET "
                                + rawPath
                                + " ("
                                + status
                                + ") does not match "
                                + template
                                + " in the OpenAPI document: "
                                + errors.stream()
                                        .limit(5)
                                        .map(e -> e.getInstanceLocation() + " " + e.getMessage())
                                        .toList()
                                + "\n"
                                + shown);
            }
        }
        checked.add(template + " " + status);
    }
}
