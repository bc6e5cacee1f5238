package dev.headgeo.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * GETs against a headgeo instance, optionally with its bearer token; each answer is checked against
 * the OpenAPI document.
 */
final class HttpClientForTests {
    record Response(int status, String body) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(body);
        }
    }

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    HttpClientForTests(int port, String token) {
        this.base = "http://127.0.0.1:" + port;
        this.token = token;
    }

    Response get(String rawPath) throws IOException, InterruptedException {
        HttpRequest.Builder r =
                HttpRequest.newBuilder(URI.create(base + rawPath))
                        .timeout(Duration.ofSeconds(10))
                        .GET();
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response =
                client.send(r.build(), HttpResponse.BodyHandlers.ofString());
        // every answer a test sees must be one the OpenAPI document declares
        ApiContract.kept()
                .check(
                        rawPath,
                        response.statusCode(),
                        response.headers().firstValue("Content-Type").orElse(null),
                        response.body());
        return new Response(response.statusCode(), response.body());
    }

    /** GET that must answer 200 with JSON. */
    JsonNode json(String rawPath) throws IOException, InterruptedException {
        Response r = get(rawPath);
        if (r.status() != 200) {
            throw new AssertionError(
                    "GET " + rawPath + " answered " + r.status() + ": " + r.body());
        }
        return r.json();
    }
}
