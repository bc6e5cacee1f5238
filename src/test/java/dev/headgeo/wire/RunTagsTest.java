package dev.headgeo.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunTagsTest {
    @Test
    void theContextKeysAreTheLayerSchemas() {
        assertThat(RunTags.CONTEXT_KEYS).containsExactly("loss", "learning_rate", "grad_norm");
    }

    @Test
    void theTrainingContextIsTheContextTagsThatAreFiniteDecimalNumbers() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("grad_norm", "0.75");
        tags.put("owner", "ana");
        tags.put("learning_rate", "3e-05");
        tags.put("loss", " 2.5 ");
        assertThat(RunTags.trainingContext(tags))
                .containsExactly(
                        Map.entry("loss", 2.5),
                        Map.entry("learning_rate", 3e-5),
                        Map.entry("grad_norm", 0.75));
        // what Python's repr writes for a float that is not finite, Java-only number forms, and
        // words stay tags only
        for (String notANumber :
                new String[] {
                    "nan",
                    "inf",
                    "-inf",
                    "NaN",
                    "Infinity",
                    "1d",
                    "0x1p3",
                    "1e400",
                    "n/a",
                    "",
                    "1_0"
                }) {
            assertThat(RunTags.trainingContext(Map.of("loss", notANumber)))
                    .as(notANumber)
                    .isEmpty();
        }
        assertThat(RunTags.trainingContext(Map.of("loss", "-0.0", "grad_norm", "12")))
                .containsEntry("loss", -0.0)
                .containsEntry("grad_norm", 12.0);
    }
}
