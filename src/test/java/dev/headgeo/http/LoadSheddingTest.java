package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoadSheddingTest {
    @Test
    void pastTheLimitRequestsAreTurnedAwayUntilOneLeaves() {
        LoadShedding shedding = new LoadShedding(2);
        assertThat(shedding.tryEnter()).isTrue();
        assertThat(shedding.tryEnter()).isTrue();
        assertThat(shedding.tryEnter()).isFalse();
        shedding.exit();
        assertThat(shedding.tryEnter()).isTrue();
    }

    @Test
    void aTurnedAwayRequestIsTold503WithRetryAfterAndAJsonError() {
        Reply busy = LoadShedding.busy();
        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.headers()).containsEntry("Retry-After", "1");
        assertThat(busy.contentType()).isEqualTo(Reply.JSON);
        assertThat(new String(busy.body(), java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("{\"error\":\"too many requests at once");
    }
}
