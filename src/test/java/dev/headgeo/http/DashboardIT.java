package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.app.ProcessorApp;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.ExternalProgram;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.HeadgeoTopics;
import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in Debian's real Chromium, driven by Selenium through Debian's chromedriver:
 * the runs table, a run id with HTML in it shown as text, the run page's charts drawn with data,
 * and a checkpoint published after the page loaded appearing without a reload. Screenshots go to
 * target/.
 */
class DashboardIT {
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String HOSTILE_RUN = "<img src=x onerror=alert(1)>";
    static final String TOKEN = "dash-token";

    @TempDir
    Path tmp;

    @Test
    void theDashboardShowsEveryRunAndUpdatesLive() throws Exception {
        assumeTrue(ExternalProgram.installed(CHROMEDRIVER) && ExternalProgram.installed(CHROMIUM),
                "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            var config = HeadgeoStreamsConfig.of(kafka.bootstrapServers(), "headgeo-dashboard-it",
                    Files.createDirectories(tmp.resolve("state")).toString(), topics, Map.of("commit.interval.ms", "100"));
            try (ProcessorApp app = ProcessorApp.start(config, topics, StreamSettings.defaults(), true,
                    new HttpAddress("127.0.0.1", 0), TOKEN);
                 RunPublisher publish = new RunPublisher(kafka.bootstrapServers())) {
                assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
                publish.checkpoint("drift-run", 1000, "supported_12x12x64");
                publish.checkpoint("drift-run", 2000, "rejected_12x12x64");
                publish.checkpoint("drift-run", 3000, "supported_12x12x64");
                publish.checkpoint(HOSTILE_RUN, 10, "two_layers");
                publish.checkpoint("stuck-run", 500, "rejected_12x12x64");
                double[] rising = {0.041, 0.052, 0.063, 0.074, 0.085};
                for (int i = 0; i < rising.length; i++) {
                    publish.checkpointWithResidual("trend-run", 100L * (i + 1), rising[i]);
                }

                ChromeDriver browser = browser();
                try {
                    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                    browser.get(app.httpUrl() + "?token=" + TOKEN);
                    wait.until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 4);
                    List<String> ids = browser.findElements(By.cssSelector("#runs a.runid")).stream().map(WebElement::getText).toList();
                    assertThat(ids).containsExactly(HOSTILE_RUN, "drift-run", "stuck-run", "trend-run");
                    assertThat(browser.findElements(By.cssSelector("#runs img"))).as("HTML in a run id is not markup").isEmpty();
                    assertNoDialog(browser);
                    WebElement drift = browser.findElement(By.cssSelector("#runs tr[data-run='drift-run']"));
                    assertThat(drift.findElement(By.cssSelector("td.verdict[data-anchor='LAST'] .chip")).getText()).startsWith("supported");
                    assertThat(drift.findElement(By.cssSelector("td.verdict[data-anchor='LAST'] .chip")).getAttribute("class"))
                            .contains("c-SUPPORTED", "primary");
                    WebElement stuck = browser.findElement(By.cssSelector("#runs tr[data-run='stuck-run']"));
                    assertThat(stuck.findElement(By.cssSelector("td.verdict[data-anchor='BEST'] .chip")).getText()).startsWith("rejected");
                    assertThat(stuck.findElement(By.cssSelector("td.verdict[data-anchor='BEST'] .chip")).getAttribute("class"))
                            .contains("c-REJECTED").doesNotContain("primary");
                    wait.until(d -> d.findElements(By.cssSelector("#alerts li.VERDICT_FLIP")).size() == 2);
                    screenshot(browser, "dashboard-overview.png");

                    browser.get(app.httpUrl() + "#/run/" + URLEncoder.encode("drift-run", StandardCharsets.UTF_8));
                    wait.until(d -> seriesLength(d, "chart-timeline") == 3);
                    assertThat(browser.findElements(By.cssSelector("#chart-timeline canvas"))).isNotEmpty();
                    assertThat(browser.findElements(By.cssSelector("#chart-heatmap canvas"))).isNotEmpty();
                    assertThat(heatCells(browser)).isEqualTo(3 * 12);
                    assertThat(seriesLength(browser, "chart-shape")).isEqualTo(3);
                    assertThat(browser.findElements(By.cssSelector("#checkpoints tbody tr"))).hasSize(3);
                    Object marker = browser.executeScript("window.__loadedOnce = 'yes'; return window.__loadedOnce;");
                    assertThat(marker).isEqualTo("yes");

                    publish.checkpoint("drift-run", 4000, "rejected_12x12x64");
                    wait.until(d -> seriesLength(d, "chart-timeline") == 4);
                    wait.until(d -> d.findElements(By.cssSelector("#checkpoints tbody tr")).size() == 4);
                    assertThat(browser.executeScript("return window.__loadedOnce;")).as("no reload").isEqualTo("yes");
                    assertThat(browser.findElements(By.cssSelector("#run-alerts li.VERDICT_FLIP"))).hasSize(3);
                    screenshot(browser, "dashboard-run.png");

                    browser.get(app.httpUrl() + "#/run/trend-run");
                    wait.until(d -> d.findElement(By.id("run-forecast")).getText().contains("Forecast: crosses 0.1"));
                    assertThat(browser.findElement(By.id("run-forecast")).getAttribute("class")).contains("warn");
                    Object trendPoints = browser.executeScript("const c = echarts.getInstanceByDom(document.getElementById('chart-timeline'));"
                            + " const t = c.getOption().series.find(s => s.name === 'trend'); return t ? t.data.filter(v => v !== null).length : 0;");
                    assertThat(((Number) trendPoints).intValue()).isEqualTo(2);
                    screenshot(browser, "dashboard-forecast.png");

                    browser.get(app.httpUrl() + "#/run/" + URLEncoder.encode(HOSTILE_RUN, StandardCharsets.UTF_8).replace("+", "%20"));
                    wait.until(d -> seriesLength(d, "chart-timeline") == 1);
                    assertThat(browser.findElement(By.id("run-title")).getText()).isEqualTo(HOSTILE_RUN);
                    assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
                    assertNoDialog(browser);
                } catch (RuntimeException | AssertionError e) {
                    screenshot(browser, "dashboard-failure.png");
                    Files.writeString(Path.of("target", "dashboard-failure.html"), browser.getPageSource());
                    throw e;
                } finally {
                    browser.quit();
                }
            }
        }
    }

    static ChromeDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    static long seriesLength(org.openqa.selenium.WebDriver d, String chartId) {
        Object n = ((JavascriptExecutor) d).executeScript(
                "const e = document.getElementById(arguments[0]); const c = e && echarts.getInstanceByDom(e);"
                        + " return c ? c.getOption().series[0].data.length : -1;", chartId);
        return ((Number) n).longValue();
    }

    static long heatCells(org.openqa.selenium.WebDriver d) {
        return seriesLength(d, "chart-heatmap");
    }

    static void assertNoDialog(ChromeDriver browser) {
        try {
            browser.switchTo().alert();
            throw new AssertionError("a script from a run id ran (an alert dialog is open)");
        } catch (NoAlertPresentException expected) {
            // the run id stayed text
        }
    }

    static void screenshot(ChromeDriver browser, String name) throws Exception {
        Path out = Path.of("target", name);
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
    }
}
