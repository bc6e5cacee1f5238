package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenAuthTest {
    private static final TokenAuth AUTH = new TokenAuth("s3cret");

    private static boolean passes(String authorization) {
        Map<String, String> headers =
                authorization == null ? Map.of() : Map.of("Authorization", authorization);
        return AUTH.check(new HttpCall("/api/runs", Map.of(), Map.of(), headers::get)).ok();
    }

    @Test
    void theSchemeIsReadCaseInsensitivelyAsRfc9110SaysTheTokenExactly() {
        for (String ok :
                new String[] {
                    "Bearer s3cret",
                    "bearer s3cret",
                    "BEARER s3cret",
                    "bEaReR  s3cret",
                    "Bearer\\ts3cret"
                }) {
            assertThat(passes(ok.replace("\\t", "\t"))).as(ok).isTrue();
        }
        for (String refused :
                new String[] {
                    "Bearer S3CRET",
                    "Bearers3cret",
                    "Basic s3cret",
                    "Bearer",
                    "Bearer ",
                    "s3cret",
                    "Token s3cret"
                }) {
            assertThat(passes(refused)).as(refused).isFalse();
        }
        assertThat(passes(null)).isFalse();
    }
}
