package dev.headgeo.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The bearer token every route but the open ones needs (when one is set): from the Authorization
 * header, else {@code ?token=} (then set as a cookie for the dashboard's own requests), else that
 * cookie.
 */
final class TokenAuth {
    static final String COOKIE = "headgeo_token";
    private static final String BEARER = "Bearer";

    private final String token;

    /**
     * @param token null or blank for none
     */
    TokenAuth(String token) {
        this.token = token == null || token.isBlank() ? null : token;
    }

    /** The token to pass on to other instances; null when none is set. */
    String token() {
        return token;
    }

    /** Whether the call may pass, and the Set-Cookie value to answer with (null for none). */
    record Verdict(boolean ok, String setCookie) {}

    Verdict check(HttpCall call) {
        if (token == null) {
            return new Verdict(true, null);
        }
        String given = null;
        String setCookie = null;
        String auth = call.header("Authorization");
        // RFC 9110 §11.1: the scheme is case-insensitive ("bearer", "BEARER"); one or more spaces
        // before the token
        if (auth != null
                && auth.length() > BEARER.length()
                && auth.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && (auth.charAt(BEARER.length()) == ' ' || auth.charAt(BEARER.length()) == '\t')) {
            given = auth.substring(BEARER.length()).strip();
        }
        if (given == null && ApiParams.TOKEN.from(call) != null) {
            given = ApiParams.TOKEN.from(call);
            setCookie =
                    COOKIE
                            + "="
                            + URLEncoder.encode(given, StandardCharsets.UTF_8)
                            + "; Path=/; HttpOnly; SameSite=Strict";
        }
        String cookies = call.header("Cookie");
        if (given == null && cookies != null) {
            for (String c : cookies.split(";")) {
                String t = c.strip();
                if (t.startsWith(COOKIE + "=")) {
                    given = HttpCall.decode(t.substring(COOKIE.length() + 1), true);
                }
            }
        }
        boolean ok =
                given != null
                        && MessageDigest.isEqual(
                                given.getBytes(StandardCharsets.UTF_8),
                                token.getBytes(StandardCharsets.UTF_8));
        return new Verdict(ok, ok ? setCookie : null);
    }
}
