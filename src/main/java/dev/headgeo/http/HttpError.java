package dev.headgeo.http;

/** A request that cannot be answered, with the status and the one line its JSON error carries. */
final class HttpError extends RuntimeException {
    private final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    static HttpError unavailable(String message) {
        return new HttpError(503, message);
    }
}
