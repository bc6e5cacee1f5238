package dev.headgeo.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.http.api.ApiError;
import dev.headgeo.http.api.ApiJson;
import dev.headgeo.http.api.ApiSchemas;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The OpenAPI 3.1 document of the routes, made from the same table that dispatches them and from
 * the answer types themselves ({@link ApiSchemas}), so it cannot say other than what is served. A
 * copy is kept in the repository ({@code docs/openapi.json}); a test keeps the two the same.
 */
final class OpenApiDocument {
    /**
     * The contract's own version (not the release's): raised when an answer changes in a way a
     * client would notice.
     */
    static final String API_VERSION = "1.0.0";

    private static final List<String> REFUSED_METHODS = List.of("post", "put", "patch", "delete");

    private OpenApiDocument() {}

    static byte[] bytes(Routes routes, Param<?> tokenParam) {
        try {
            return ApiJson.MAPPER
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(of(routes, tokenParam));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode of(Routes routes, Param<?> tokenParam) {
        ApiSchemas schemas = new ApiSchemas();
        ObjectNode doc = ApiJson.MAPPER.createObjectNode().put("openapi", "3.1.0");
        doc.putObject("info")
                .put("title", "headgeo")
                .put("version", API_VERSION)
                .put(
                        "description",
                        "The read-only HTTP API of a headgeo processor instance. Any instance"
                                + " answers any query with what the reachable instances hold;"
                                + " missing_instances names those that did not answer. A non-finite"
                                + " number is null.");
        doc.put("jsonSchemaDialect", "https://spec.openapis.org/oas/3.1/dialect/base");
        ObjectNode paths = doc.putObject("paths");
        for (Routes.Route route : routes.all()) {
            ObjectNode pathItem = paths.putObject(route.pattern());
            ObjectNode get = pathItem.putObject("get");
            Routes.Operation op = route.operation();
            get.put("operationId", op.id()).put("summary", op.summary());
            // grouped as a generated client groups them: the runs, the alerts, and the service
            // itself
            get.putArray("tags")
                    .add(
                            route.pattern().startsWith("/api/runs")
                                    ? "runs"
                                    : route.pattern().startsWith("/api/alerts")
                                            ? "alerts"
                                            : "service");
            // path parameters belong to the path (every method's answer has them); query parameters
            // to GET
            ArrayNode params = get.putArray("parameters");
            List<Param<?>> declared = new ArrayList<>(op.params());
            if (!route.open()) {
                declared.add(tokenParam);
            }
            for (Param<?> p : declared) {
                if (p.in() == Param.In.PATH) {
                    pathItem.withArray("parameters")
                            .add(p.openApi(schemas, ApiJson.MAPPER.createObjectNode()));
                } else {
                    p.openApi(schemas, params.addObject());
                }
            }
            if (route.open()) {
                get.putArray("security");
            }
            ObjectNode responses = get.putObject("responses");
            ObjectNode ok = responses.putObject("200").put("description", op.summary());
            ObjectNode content = ok.putObject("content");
            for (String type : op.mediaTypes()) {
                ObjectNode schema =
                        type.equals(Reply.JSON)
                                ? (op.answer() == null
                                        ? ApiJson.MAPPER.createObjectNode().put("type", "object")
                                        : schemas.of(op.answer()))
                                : ApiJson.MAPPER.createObjectNode().put("type", "string");
                content.putObject(type).set("schema", schema);
            }
            TreeSet<Integer> errors = new TreeSet<>(op.errors());
            // any query parameter given twice is a 400; past the concurrent-request limit anything
            // but the probes is a 503;
            // the server itself answers a body, a URI or headers past their limits
            errors.addAll(List.of(400, 413, 414, 431, 500));
            if (!route.open()) {
                errors.add(401);
                errors.add(503);
            }
            for (int status : errors) {
                // /ready's 503 is its own answer: not ready, and why
                boolean readiness =
                        status == 503
                                && op.mediaTypes().equals(List.of(Reply.JSON))
                                && op.id().equals("ready");
                ObjectNode response =
                        responses
                                .putObject(Integer.toString(status))
                                .put("description", reason(status));
                if (status == 503 && !readiness) {
                    response.putObject("headers")
                            .putObject("Retry-After")
                            .put(
                                    "description",
                                    "seconds to wait before asking again, "
                                            + "when the instance turned the request away for load")
                            .putObject("schema")
                            .put("type", "integer");
                }
                response.putObject("content")
                        .putObject(Reply.JSON)
                        .set("schema", schemas.of(readiness ? op.answer() : ApiError.class));
            }
            // read-only: every other method is answered 405 (HEAD is GET without the body)
            for (String method : REFUSED_METHODS) {
                ObjectNode refused =
                        pathItem.putObject(method)
                                .put("operationId", op.id() + "_" + method + "_refused")
                                .put("summary", "Refused: the API is read-only");
                refused.putArray("tags").add("service");
                refused.putArray("security");
                refused.putObject("responses")
                        .putObject("405")
                        .put("$ref", "#/components/responses/MethodNotAllowed");
            }
        }
        ObjectNode components = doc.putObject("components");
        components
                .putObject("securitySchemes")
                .putObject("bearer")
                .put("type", "http")
                .put("scheme", "bearer")
                .put(
                        "description",
                        "Needed on every path but /health and /ready when the instance runs with"
                                + " --http-token");
        ObjectNode notAllowed =
                components
                        .putObject("responses")
                        .putObject("MethodNotAllowed")
                        .put("description", reason(405));
        notAllowed
                .putObject("headers")
                .putObject("Allow")
                .put("description", "the methods served: GET, HEAD")
                .putObject("schema")
                .put("type", "string");
        notAllowed
                .putObject("content")
                .putObject(Reply.JSON)
                .set("schema", schemas.of(ApiError.class));
        ObjectNode defs = components.putObject("schemas");
        schemas.components().forEach(defs::set);
        // a token is optional: instances without --http-token take every request
        ArrayNode security = doc.putArray("security");
        security.addObject().putArray("bearer");
        security.addObject();
        return doc;
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "A parameter cannot be read";
            case 401 -> "Missing or wrong bearer token";
            case 404 -> "Not kept on any instance that answered";
            case 405 -> "Only GET and HEAD are served";
            case 413 ->
                    "A request body (none is needed) over "
                            + WebServer.MAX_REQUEST_BODY_BYTES
                            + " bytes";
            case 414 -> "A request line over " + WebServer.MAX_HEADER_BYTES + " bytes";
            case 431 -> "Request headers over " + WebServer.MAX_HEADER_BYTES + " bytes";
            case 503 ->
                    "Not answerable now (too many requests at once, starting, rebalancing, or the"
                            + " instances holding it did not answer); retry";
            default -> "An internal error, in one line";
        };
    }
}
