package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.ExternalProgram;
import dev.headgeo.testing.Python;
import dev.headgeo.wire.HeadgeoTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Attention health end to end: measured trajectories of real training runs
 * (src/test/resources/health) published by the Python client through librdkafka as layer records
 * v3, judged by the processor on a real broker, alerted with the heads named, served by the HTTP
 * API as the OpenAPI document declares it, and drawn by the dashboard in Chromium.
 */
class AttentionHealthIT {
    static final String TOKEN = "health-token";

    @TempDir Path tmp;

    @Test
    void collapseAndGrowthAreAlertedWithTheirHeadsAndDrawnWhileTheQkNormTwinStaysQuiet()
            throws Exception {
        Optional<String> python = Python.withModules("numpy", "confluent_kafka");
        assumeTrue(
                python.isPresent(),
                "no python3 with numpy and confluent_kafka (apt-get install python3-numpy"
                        + " python3-confluent-kafka)");
        assumeTrue(
                ExternalProgram.installed(DashboardIT.CHROMEDRIVER)
                        && ExternalProgram.installed(DashboardIT.CHROMIUM),
                "chromium and chromium-driver are not installed (apt-get install chromium"
                        + " chromium-driver)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            var config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            "headgeo-health-it",
                            Files.createDirectories(tmp.resolve("state")).toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
            try (ProcessorApp app =
                    ProcessorApp.start(
                            config,
                            topics,
                            StreamSettings.defaults(),
                            true,
                            new HttpAddress("127.0.0.1", 0),
                            TOKEN)) {
                assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
                Python.Run published =
                        Python.run(
                                python.get(),
                                List.of(
                                        "src/test/python/publish_measured_runs.py",
                                        kafka.bootstrapServers(),
                                        "src/test/resources/health/measured-runs.json"));
                assertThat(published.status()).as(published.output()).isZero();

                HttpClientForTests http =
                        new HttpClientForTests(java.net.URI.create(app.httpUrl()).getPort(), TOKEN);
                JsonNode collapsing = awaitCheckpoints(http, "llama-lr0.03", 6);
                JsonNode growing = awaitCheckpoints(http, "llama-lr0.01", 6);
                JsonNode stable = awaitCheckpoints(http, "olmo2-lr0.1", 6);

                assertThat(kinds(collapsing)).containsExactly("ENTROPY_COLLAPSE@10");
                JsonNode collapse = alert(collapsing, "ENTROPY_COLLAPSE");
                assertThat(collapse.get("severity").asText()).isEqualTo("CRITICAL");
                assertThat(texts(collapse.get("heads"))).containsExactly("1.0", "1.2");
                assertThat(collapse.get("drivers").size()).isPositive();
                assertThat(kinds(growing)).containsExactly("LOGIT_GROWTH@15");
                JsonNode growth = alert(growing, "LOGIT_GROWTH");
                assertThat(growth.get("severity").asText()).isEqualTo("WARNING");
                assertThat(texts(growth.get("heads"))).containsExactly("0.2", "0.3");
                assertThat(growth.get("forecast_checkpoint").asLong()).isGreaterThan(15);
                assertThat(kinds(stable)).as("the QK-norm twin").isEmpty();

                JsonNode report =
                        http.json("/api/runs/llama-lr0.03/checkpoints/10").get("attention_health");
                assertThat(report.get("state").asText()).isEqualTo("COLLAPSED");
                assertThat(report.get("previous_checkpoint").asLong()).isEqualTo(5);
                assertThat(report.get("entropy_ceiling").asDouble()).isEqualTo(Math.log(128));
                assertThat(report.get("layers").get(1).get("collapsed_heads").toString())
                        .isEqualTo("[0,2]");
                assertThat(report.get("layers").get(0).get("logit_bound").asText())
                        .isEqualTo("MEASURED_LOGIT");
                assertThat(http.get("/metrics").body())
                        .contains(
                                "headgeo_attention_health{run_id=\"llama-lr0.03\"} 2.0",
                                "headgeo_attention_health{run_id=\"olmo2-lr0.1\"} 0.0",
                                "headgeo_min_attention_entropy{run_id=\"llama-lr0.03\"}");

                ChromeDriver browser = DashboardIT.browser();
                try {
                    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                    browser.get(app.httpUrl() + "?token=" + TOKEN);
                    browser.get(app.httpUrl() + "#/run/llama-lr0.03");
                    wait.until(d -> "COLLAPSED".equals(DashboardIT.text(d, "#health-state-name")));
                    assertThat(DashboardIT.text(browser, "#health-state"))
                            .contains("at checkpoint 25", "0.0, 0.1, 0.2, 0.3, 1.0, 1.1, 1.2, 1.3");
                    assertThat(browser.findElement(By.id("health-state")).getAttribute("class"))
                            .contains("bad");
                    wait.until(d -> DashboardIT.seriesLength(d, "health-map") == 6 * 8);
                    assertTimelineShowsWhatItsLegendNames(browser, collapsing);
                    assertHealthMapColoursByEntropy(browser);
                    DashboardIT.fullPageScreenshot(browser, "dashboard-health.png", 1400);
                    browser.manage().window().setSize(new Dimension(390, 844));
                    wait.until(
                            d ->
                                    ((Number)
                                                            ((JavascriptExecutor) d)
                                                                    .executeScript(
                                                                            "return"
                                                                                + " document.documentElement.scrollWidth;"))
                                                    .intValue()
                                            <= 390);
                    DashboardIT.fullPageScreenshot(browser, "dashboard-health-phone.png", 390);
                    browser.manage().window().setSize(new Dimension(1400, 1100));
                    browser.get(app.httpUrl() + "#/run/olmo2-lr0.1");
                    wait.until(d -> "STABLE".equals(DashboardIT.text(d, "#health-state-name")));
                } catch (RuntimeException | AssertionError e) {
                    DashboardIT.screenshot(browser, "dashboard-health-failure.png");
                    throw e;
                } finally {
                    browser.quit();
                }
            }
        }
    }

    /** The run's detail once {@code n} checkpoints are reported (and their alerts raised). */
    static JsonNode awaitCheckpoints(HttpClientForTests http, String run, int n) {
        return new org.openqa.selenium.support.ui.FluentWait<>(http)
                .withTimeout(Duration.ofSeconds(60))
                .pollingEvery(Duration.ofMillis(200))
                .withMessage("run " + run + " with " + n + " checkpoints reported")
                .until(
                        h -> {
                            try {
                                HttpClientForTests.Response r = h.get("/api/runs/" + run);
                                return r.status() == 200 && r.json().get("checkpoints").size() == n
                                        ? r.json()
                                        : null;
                            } catch (java.io.IOException e) {
                                return null;
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException(e);
                            }
                        });
    }

    static List<String> kinds(JsonNode run) {
        List<String> out = new ArrayList<>();
        run.get("alerts")
                .forEach(a -> out.add(a.get("type").asText() + "@" + a.get("checkpoint").asLong()));
        return out;
    }

    static JsonNode alert(JsonNode run, String type) {
        for (JsonNode a : run.get("alerts")) {
            if (a.get("type").asText().equals(type)) {
                return a;
            }
        }
        throw new AssertionError("no " + type + " alert in " + run.get("alerts"));
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    /**
     * The timeline's entropy line is the summaries' lowest head entropy, its logit line their
     * largest measured logit.
     */
    @SuppressWarnings("unchecked")
    static void assertTimelineShowsWhatItsLegendNames(ChromeDriver browser, JsonNode run) {
        Map<String, List<List<Number>>> series =
                (Map<String, List<List<Number>>>)
                        browser.executeScript(
                                "const c ="
                                    + " echarts.getInstanceByDom(document.getElementById('health-timeline'));"
                                    + " const out = {}; c.getOption().series.forEach(s =>"
                                    + " out[s.name] = s.data.map(p => Array.isArray(p) ? p :"
                                    + " p.value)); return out;");
        assertThat(series)
                .containsOnlyKeys("lowest head entropy (nats)", "largest attention logit");
        List<List<Number>> entropy = series.get("lowest head entropy (nats)");
        List<List<Number>> logits = series.get("largest attention logit");
        for (int i = 0; i < run.get("checkpoints").size(); i++) {
            JsonNode c = run.get("checkpoints").get(i);
            assertThat(entropy.get(i).get(0).longValue()).isEqualTo(c.get("checkpoint").asLong());
            assertThat(entropy.get(i).get(1).doubleValue())
                    .isEqualTo(c.get("health").get("min_entropy").asDouble());
            assertThat(logits.get(i).get(1).doubleValue())
                    .isEqualTo(c.get("health").get("max_logit").asDouble());
        }
    }

    /** The largest channel difference between an "rgba(r,g,b,a)" colour and {@code rgb}. */
    static int distance(String rgba, int[] rgb) {
        String[] parts = rgba.substring(rgba.indexOf('(') + 1, rgba.indexOf(')')).split(",");
        int d = 0;
        for (int i = 0; i < 3; i++) {
            d = Math.max(d, Math.abs(Integer.parseInt(parts[i].strip()) - rgb[i]));
        }
        return d;
    }

    /**
     * The head map colours each cell by the head's entropy, the quantity its legend names: lowest
     * red, highest not, equal alike.
     */
    @SuppressWarnings("unchecked")
    static void assertHealthMapColoursByEntropy(ChromeDriver browser) {
        List<List<Object>> cells =
                (List<List<Object>>)
                        browser.executeScript(
                                "const c ="
                                    + " echarts.getInstanceByDom(document.getElementById('health-map'));"
                                    + " const data = c.getModel().getSeriesByIndex(0).getData();"
                                    + " const out = []; for (let i = 0; i < data.count(); i++) {"
                                    + " const v = data.getRawDataItem(i);   out.push([Number(v[2]),"
                                    + " String(data.getItemVisual(i, 'style').fill)]); } return"
                                    + " out;");
        String legend =
                String.valueOf(
                        browser.executeScript(
                                "return"
                                    + " echarts.getInstanceByDom(document.getElementById('health-map')).getOption().visualMap[0].text.join('"
                                    + " / ');"));
        assertThat(legend).contains("entropy");
        List<Object> least =
                cells.stream()
                        .min(
                                java.util.Comparator.comparingDouble(
                                        c -> ((Number) c.get(0)).doubleValue()))
                        .orElseThrow();
        List<Object> most =
                cells.stream()
                        .max(
                                java.util.Comparator.comparingDouble(
                                        c -> ((Number) c.get(0)).doubleValue()))
                        .orElseThrow();
        // the scale starts at entropy 0 and the lowest head is just above it: its colour is next to
        // the low end's red
        int[] red = {215, 48, 39};
        assertThat(distance(String.valueOf(least.get(1)), red))
                .as("cell %s", least)
                .isLessThanOrEqualTo(8);
        assertThat(distance(String.valueOf(most.get(1)), red))
                .as("cell %s", most)
                .isGreaterThan(100);
        java.util.Map<Double, java.util.Set<String>> coloursByEntropy = new java.util.HashMap<>();
        cells.forEach(
                c ->
                        coloursByEntropy
                                .computeIfAbsent(
                                        ((Number) c.get(0)).doubleValue(),
                                        e -> new java.util.HashSet<>())
                                .add(String.valueOf(c.get(1))));
        assertThat(coloursByEntropy.values()).allSatisfy(colours -> assertThat(colours).hasSize(1));
    }
}
