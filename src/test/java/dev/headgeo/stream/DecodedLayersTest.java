package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.wire.LayerValues;
import org.junit.jupiter.api.Test;

class DecodedLayersTest {
    static LayerValues layer(int l) {
        return new LayerValues(
                "r",
                1,
                l,
                4,
                1,
                new double[][] {{1.0}},
                new double[] {0.5},
                null,
                null,
                java.util.Map.of());
    }

    @Test
    void keepsWhatFitsTheBudgetAndForgetsWhatIsTaken() {
        DecodedLayers d = new DecodedLayers(100);
        d.put("a", layer(0), 60);
        d.put("b", layer(1), 60);
        assertThat(d.bytes()).isEqualTo(60);
        assertThat(d.take("b")).as("over the budget: decoded again later").isNull();
        assertThat(d.take("a").layer()).isZero();
        assertThat(d.bytes()).isZero();
        assertThat(d.take("a")).isNull();
    }

    @Test
    void aDuplicateReplacesTheEarlierCopy() {
        DecodedLayers d = new DecodedLayers(100);
        d.put("a", layer(0), 60);
        d.put("a", layer(2), 70);
        assertThat(d.bytes()).isEqualTo(70);
        assertThat(d.take("a").layer()).isEqualTo(2);
        d.put("a", layer(0), 10);
        d.clear();
        assertThat(d.bytes()).isZero();
        assertThat(d.take("a")).isNull();
    }
}
