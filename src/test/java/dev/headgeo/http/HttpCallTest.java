package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HttpCallTest {
    @Test
    void aParameterGivenTwiceIsABadRequest() {
        assertThat(HttpCall.parseQuery("limit=5&run=a%20b"))
                .containsEntry("limit", "5")
                .containsEntry("run", "a b");
        assertThatThrownBy(() -> HttpCall.parseQuery("limit=5&limit=6"))
                .isInstanceOf(HttpError.class)
                .hasMessage("query parameter 'limit' is given more than once")
                .extracting(e -> ((HttpError) e).status())
                .isEqualTo(400);
    }

    @Test
    void anErrorQuotesAtMost200CharactersOfTheInput() {
        String huge = "r".repeat(15_000);
        assertThat(Quote.of(huge)).hasSizeLessThan(Quote.MAX + 30).endsWith("… (15000 characters)");
        assertThat(Quote.of("short")).isEqualTo("short");
        assertThatThrownBy(() -> HttpCall.parseQuery("limit=" + huge + "&limit=1"))
                .hasMessageNotContaining(huge);
    }
}
