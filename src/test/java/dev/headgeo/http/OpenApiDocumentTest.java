package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.headgeo.wire.Json;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document: a valid OpenAPI 3.1 document (the OpenAPI Initiative's own schema),
 * the same as the copy in docs/ (rewrite that with {@code -Dheadgeo.writeOpenApi=true}), every
 * object closed.
 */
class OpenApiDocumentTest {
    private static ApiServer server;
    private static HttpClientForTests http;
    private static String served;

    @BeforeAll
    static void start() throws Exception {
        server =
                ApiServer.start(
                        HttpAddress.parse("127.0.0.1:0"),
                        null,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        http = new HttpClientForTests(server.port(), null);
        // fetched past the contract check: this is the document that check is made of
        var r =
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create(
                                                        "http://127.0.0.1:"
                                                                + server.port()
                                                                + "/api/openapi.json"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        served = r.body();
        if (Boolean.getBoolean("headgeo.writeOpenApi")) {
            Files.writeString(ApiContract.DOCUMENT, served + "\n");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void isAnOpenApi31DocumentByTheInitiativesSchema() throws Exception {
        Schema oas;
        try (InputStream in =
                OpenApiDocumentTest.class.getResourceAsStream("/openapi/oas-3.1-schema.json")) {
            oas =
                    SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                            .getSchema(in);
        }
        List<Error> errors = oas.validate(served, InputFormat.JSON);
        assertThat(errors).as("OpenAPI 3.1 schema errors").isEmpty();
        JsonNode broken = Json.MAPPER.readTree(served).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.get("info")).remove("title");
        assertThat(oas.validate(broken.toString(), InputFormat.JSON))
                .as("the schema notices a document without a title")
                .isNotEmpty();
    }

    @Test
    void theRepositoryKeepsTheServedDocument() throws Exception {
        assertThat(Json.MAPPER.readTree(Files.readString(ApiContract.DOCUMENT)))
                .as(
                        "docs/openapi.json is stale: mvn -q test -Dtest=OpenApiDocumentTest"
                                + " -Dheadgeo.writeOpenApi=true")
                .isEqualTo(Json.MAPPER.readTree(served));
    }

    @Test
    void everyObjectDeclaresAllItsPropertiesAndAllowsNoOther() throws Exception {
        JsonNode schemas = Json.MAPPER.readTree(served).get("components").get("schemas");
        List<String> open = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = schemas.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode s = e.getValue();
            if (!s.path("additionalProperties").isBoolean()
                    || s.get("additionalProperties").asBoolean()
                    || s.path("properties").isEmpty()) {
                open.add(e.getKey());
            }
        }
        assertThat(open).as("component schemas that allow undeclared properties").isEmpty();
        assertThat(schemas.fieldNames())
                .toIterable()
                .contains(
                        "RunsPage",
                        "RunSummary",
                        "RunDetail",
                        "AlertsPage",
                        "Alert",
                        "CheckpointReport",
                        "CheckpointSummary",
                        "Thresholds",
                        "ApiError",
                        "Readiness",
                        "Health");
    }

    @Test
    void answersBeforeTheProcessorRunsMatchTheDocument() throws Exception {
        // HttpClientForTests checks each answer against docs/openapi.json; these are the ones a
        // starting instance gives
        assertThat(http.get("/health").status()).isEqualTo(200);
        assertThat(http.get("/ready").status()).isEqualTo(503);
        assertThat(http.get("/api/runs").status()).isEqualTo(503);
        assertThat(http.get("/api/thresholds").status()).isEqualTo(200);
        assertThat(http.get("/api/runs/x/checkpoints/notanumber").status()).isEqualTo(400);
        assertThat(http.get("/assets/app.js").status()).isEqualTo(200);
        assertThat(http.get("/assets/..%2Fsecret.js").status()).isEqualTo(404);
        HttpClientForTests.Response reference = http.get("/docs/reference");
        assertThat(reference.status()).isEqualTo(200);
        assertThat(reference.body())
                .as("the report fields the dashboard links")
                .contains("### Report fields", "mean_residual");
        assertThat(ApiContract.kept().checked())
                .contains("/health 200", "/ready 503", "/api/runs 503", "/api/thresholds 200");
    }

    @Test
    void parametersAreAnsweredAsDeclaredWithTheirBoundsAndChoices() throws Exception {
        JsonNode doc = Json.MAPPER.readTree(served);
        JsonNode limit = param(doc, "/api/alerts", "limit").get("schema");
        assertThat(limit.get("minimum").asInt()).isEqualTo(1);
        assertThat(limit.get("maximum").asInt()).isEqualTo(AlertPages.MAX_LIMIT);
        assertThat(limit.get("default").asInt()).isEqualTo(AlertPages.DEFAULT_LIMIT);
        assertThat(param(doc, "/api/runs/{run}/export", "format").get("schema").get("enum"))
                .extracting(JsonNode::asText)
                .containsExactly("csv", "jsonl");
        assertThat(
                        param(doc, "/api/runs/{run}/checkpoints/{checkpoint}", "checkpoint")
                                .get("schema")
                                .get("minimum")
                                .asInt())
                .isZero();
        // before the processor runs too: the declaration answers, not the handler (each answer
        // checked against the document)
        for (String refused :
                List.of(
                        "/api/alerts?limit=0",
                        "/api/alerts?limit=1001",
                        "/api/alerts?limit=ten",
                        "/api/alerts?before=not-a-cursor",
                        "/api/runs/r/export?format=xml",
                        "/api/runs/r/checkpoints/-1",
                        "/api/alerts?limit=1&limit=2")) {
            HttpClientForTests.Response r = http.get(refused);
            assertThat(r.status()).as(refused + ": " + r.body()).isEqualTo(400);
        }
        assertThat(http.get("/api/alerts?limit=1001").body())
                .contains("limit must be between 1 and 1000, not 1001");
        assertThat(http.get("/api/runs/r/export?format=XML").body())
                .contains("format 'XML' is not one of csv, jsonl");
    }

    @Test
    void everyOtherMethodIsA405AsDeclaredOnEveryPath() throws Exception {
        JsonNode paths = Json.MAPPER.readTree(served).get("paths");
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
            String pattern = it.next();
            String path =
                    pattern.replace("{run}", "r")
                            .replace("{checkpoint}", "1")
                            .replace("{file}", "app.js");
            for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
                assertThat(
                                paths.get(pattern)
                                        .path(method.toLowerCase(java.util.Locale.ROOT))
                                        .path("responses")
                                        .path("405")
                                        .path("$ref")
                                        .asText())
                        .as(method + " " + pattern)
                        .isEqualTo("#/components/responses/MethodNotAllowed");
                var r =
                        client.send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create(
                                                        "http://127.0.0.1:" + server.port() + path))
                                        .method(
                                                method,
                                                java.net.http.HttpRequest.BodyPublishers.noBody())
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
                assertThat(r.headers().firstValue("Allow")).contains("GET, HEAD");
                assertThat(Json.MAPPER.readTree(r.body()).get("error").asText())
                        .as("an ApiError, as declared")
                        .isEqualTo("read-only: only GET");
            }
        }
    }

    private static JsonNode param(JsonNode doc, String path, String name) {
        JsonNode item = doc.get("paths").get(path);
        for (JsonNode declared :
                List.of(item.path("parameters"), item.get("get").get("parameters"))) {
            for (JsonNode p : declared) {
                if (p.get("name").asText().equals(name)) {
                    return p;
                }
            }
        }
        throw new AssertionError(path + " declares no " + name);
    }

    @Test
    void anUndeclaredPropertyFailsTheCheck() {
        String body = "{\"status\":\"UP\",\"extra\":1}";
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ApiContract.kept().check("/health", 200, "application/json", body))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("extra");
    }
}
