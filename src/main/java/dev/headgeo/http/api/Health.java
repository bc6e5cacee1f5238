package dev.headgeo.http.api;

/** {@code GET /health}: the process answers. */
public record Health(String status) {
    public static final Health UP = new Health("UP");
}
