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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in Debian's real Chromium, driven by Selenium through Debian's chromedriver: the
 * runs table (trouble first, by name, filtered by a tag), a run id with HTML in it shown as text,
 * the run page's charts drawn with data, where the hypothesis breaks (head map, temperature
 * schedule, worst heads, the three anchors) for a checkpoint picked in the table, a checkpoint
 * still arriving, a checkpoint published after the page loaded appearing without a reload, the
 * compare view, and the phone layout. Screenshots at 1400 and 390 px wide go to target/.
 */
class DashboardIT {
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String HOSTILE_RUN = "<img src=x onerror=alert(1)>";
    static final String TOKEN = "dash-token";

    @TempDir Path tmp;

    @Test
    void theDashboardShowsEveryRunAndUpdatesLive() throws Exception {
        assumeTrue(
                ExternalProgram.installed(CHROMEDRIVER) && ExternalProgram.installed(CHROMIUM),
                "chromium and chromium-driver are not installed (apt-get install chromium"
                        + " chromium-driver)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            var config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            "headgeo-dashboard-it",
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
                                    TOKEN);
                    RunPublisher publish = new RunPublisher(kafka.bootstrapServers())) {
                assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
                Map<String, String> tags = Map.of("owner", "ana", "lr", "3e-4");
                publish.checkpoint("drift-run", 1000, "supported_12x12x64", tags);
                publish.checkpoint("drift-run", 2000, "rejected_12x12x64", tags);
                publish.checkpoint("drift-run", 3000, "supported_12x12x64", tags);
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
                    // trouble first: rejected, then flipping, then forecast to cross, then the rest
                    wait.until(
                            d ->
                                    runIds(d)
                                            .equals(
                                                    List.of(
                                                            "stuck-run",
                                                            "drift-run",
                                                            "trend-run",
                                                            HOSTILE_RUN)));
                    browser.findElement(By.id("sort-toggle")).click();
                    assertThat(runIds(browser))
                            .containsExactly(HOSTILE_RUN, "drift-run", "stuck-run", "trend-run");
                    browser.findElement(By.id("filter")).sendKeys("owner=ana");
                    wait.until(d -> runIds(d).equals(List.of("drift-run")));
                    assertThat(text(browser, "#runs tr[data-run='drift-run'] .context"))
                            .contains("test-model", "owner=ana", "lr=3e-4");
                    browser.findElement(By.id("filter")).clear();
                    // clear() fires no input event: type and erase one character so the page hears
                    // the empty filter
                    browser.findElement(By.id("filter")).sendKeys(" ", Keys.BACK_SPACE);
                    wait.until(d -> runIds(d).size() == 4);
                    browser.findElement(By.id("sort-toggle")).click();
                    assertThat(browser.findElements(By.cssSelector("#runs img")))
                            .as("HTML in a run id is not markup")
                            .isEmpty();
                    assertNoDialog(browser);
                    // read in one script: the table is redrawn every 2 s, so element references go
                    // stale
                    assertThat(chip(browser, "drift-run", "LAST"))
                            .startsWith("supported")
                            .contains("c-SUPPORTED", "primary");
                    assertThat(chip(browser, "stuck-run", "BEST"))
                            .startsWith("rejected")
                            .contains("c-REJECTED")
                            .doesNotContain("primary");
                    wait.until(
                            d ->
                                    d.findElements(By.cssSelector("#alerts li.VERDICT_FLIP")).size()
                                            == 2);
                    screenshot(browser, "dashboard-overview.png");
                    String reference =
                            browser.findElement(By.id("reference-link")).getAttribute("href");
                    assertThat(reference).endsWith("/docs/reference");
                    assertThat(browser.findElement(By.id("legend")).getText())
                            .as("the bands as the API states them")
                            .contains("< 0.1", "< 0.3");

                    publish.partialCheckpoint("drift-run", 3500, "supported_12x12x64", 7);
                    browser.get(
                            app.httpUrl()
                                    + "#/run/"
                                    + URLEncoder.encode("drift-run", StandardCharsets.UTF_8));
                    wait.until(d -> seriesLength(d, "chart-timeline") == 3);
                    wait.until(
                            d ->
                                    d.findElement(By.id("open-checkpoints"))
                                            .getText()
                                            .contains("checkpoint 3500: 7 of 12 layers"));
                    assertThat(browser.findElement(By.id("open-checkpoints")).getText())
                            .contains("missing 7–11");
                    // where it breaks: the latest kept checkpoint's heads, the schedule of every
                    // kept checkpoint
                    wait.until(d -> seriesLength(d, "head-map") == 12 * 12);
                    assertThat(seriesCount(browser, "schedule")).isEqualTo(3);
                    assertThat(browser.findElements(By.cssSelector("#head-map canvas")))
                            .isNotEmpty();
                    assertHeadMapColoursByResidual(browser);
                    assertThat(browser.findElements(By.cssSelector("#top-heads li"))).hasSize(10);
                    assertThat(browser.findElement(By.id("where-sub")).getText())
                            .startsWith("checkpoint 3000, last anchor");
                    assertThat(browser.findElements(By.cssSelector("#anchors-table thead th")))
                            .extracting(WebElement::getText)
                            .containsExactly("CHECKPOINT 3000", "LAST", "MIDDLE", "BEST");
                    click(browser, "#checkpoints tr[data-checkpoint='2000']");
                    wait.until(
                            d ->
                                    d.findElement(By.id("where-sub"))
                                            .getText()
                                            .startsWith("checkpoint 2000, last anchor"));
                    assertThat(text(browser, "#top-heads li .num"))
                            .as("the worst head of a rejected checkpoint")
                            .satisfies(r -> assertThat(Double.parseDouble(r)).isGreaterThan(0.3));
                    click(browser, "#anchor-tabs button[data-anchor='BEST']");
                    wait.until(
                            d ->
                                    d.findElement(By.id("where-sub"))
                                            .getText()
                                            .startsWith("checkpoint 2000, best anchor"));
                    assertThat(
                                    browser.findElement(By.cssSelector("#export-csv"))
                                            .getAttribute("href"))
                            .endsWith("/api/runs/drift-run/export?format=csv");
                    // the choice is in the address: a reload (or a shared link) opens the same view
                    assertThat(browser.getCurrentUrl())
                            .endsWith("#/run/drift-run?checkpoint=2000&anchor=BEST");
                    browser.navigate().refresh();
                    wait.until(
                            d ->
                                    d.findElement(By.id("where-sub"))
                                            .getText()
                                            .startsWith("checkpoint 2000, best anchor"));
                    assertThat(browser.findElements(By.cssSelector("#chart-timeline canvas")))
                            .isNotEmpty();
                    assertThat(browser.findElements(By.cssSelector("#chart-heatmap canvas")))
                            .isNotEmpty();
                    assertThat(heatCells(browser)).isEqualTo(3 * 12);
                    assertThat(seriesLength(browser, "chart-shape")).isEqualTo(3);
                    assertThat(browser.findElements(By.cssSelector("#checkpoints tbody tr")))
                            .hasSize(3);
                    Object marker =
                            browser.executeScript(
                                    "window.__loadedOnce = 'yes'; return window.__loadedOnce;");
                    assertThat(marker).isEqualTo("yes");

                    publish.checkpoint("drift-run", 4000, "rejected_12x12x64");
                    wait.until(d -> seriesLength(d, "chart-timeline") == 4);
                    wait.until(
                            d ->
                                    d.findElements(By.cssSelector("#checkpoints tbody tr")).size()
                                            == 4);
                    wait.until(d -> seriesCount(d, "schedule") == 4);
                    assertThat(browser.findElement(By.id("where-sub")).getText())
                            .as("the choice stays while new checkpoints arrive")
                            .startsWith("checkpoint 2000, best anchor");
                    assertThat(browser.executeScript("return window.__loadedOnce;"))
                            .as("no reload")
                            .isEqualTo("yes");
                    assertThat(browser.findElements(By.cssSelector("#run-alerts li.VERDICT_FLIP")))
                            .hasSize(3);
                    // the recovery at 3000 is news, the flips into REJECTED are critical
                    assertThat(
                                    browser.findElements(
                                            By.cssSelector("#run-alerts li.VERDICT_FLIP.sev-info")))
                            .hasSize(1);
                    assertThat(
                                    browser.findElements(
                                            By.cssSelector(
                                                    "#run-alerts li.VERDICT_FLIP.sev-critical")))
                            .hasSize(2);
                    assertThat(text(browser, "#run-alerts li.sev-info .what"))
                            .isEqualTo("RECOVERY");
                    fullPageScreenshot(browser, "dashboard-run.png", 1400);

                    browser.get(app.httpUrl() + "#/run/trend-run");
                    wait.until(
                            d ->
                                    d.findElement(By.id("run-forecast"))
                                            .getText()
                                            .contains("Forecast: crosses 0.1"));
                    assertThat(browser.findElement(By.id("run-forecast")).getAttribute("class"))
                            .contains("warn");
                    Object trendPoints =
                            browser.executeScript(
                                    "const c ="
                                        + " echarts.getInstanceByDom(document.getElementById('chart-timeline'));"
                                        + " const t = c.getOption().series.find(s => s.name ==="
                                        + " 'trend'); return t ? t.data.filter(v => v !=="
                                        + " null).length : 0;");
                    assertThat(((Number) trendPoints).intValue()).isEqualTo(2);
                    screenshot(browser, "dashboard-forecast.png");

                    browser.get(app.httpUrl() + "#/compare?runs=drift-run,stuck-run,trend-run");
                    wait.until(
                            d ->
                                    seriesCount(d, "compare-timeline") == 3
                                            && seriesLength(d, "compare-timeline") == 4);
                    assertThat(seriesCount(browser, "compare-schedule")).isEqualTo(3);
                    assertThat(browser.findElements(By.cssSelector("#compare-table tbody tr")))
                            .hasSize(3);
                    screenshot(browser, "dashboard-compare.png");

                    // a phone: the runs table turns into one card per run
                    browser.manage().window().setSize(new Dimension(390, 844));
                    browser.get(app.httpUrl() + "#/");
                    wait.until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == 4);
                    assertThat(
                                    ((JavascriptExecutor) browser)
                                            .executeScript(
                                                    "return"
                                                        + " getComputedStyle(document.querySelector('#runs"
                                                        + " thead')).display;"))
                            .isEqualTo("none");
                    Object widest =
                            browser.executeScript("return document.documentElement.scrollWidth;");
                    assertThat(((Number) widest).intValue())
                            .as("nothing wider than the phone")
                            .isLessThanOrEqualTo(390);
                    fullPageScreenshot(browser, "dashboard-overview-phone.png", 390);
                    browser.get(app.httpUrl() + "#/run/drift-run");
                    wait.until(d -> seriesLength(d, "head-map") == 12 * 12);
                    fullPageScreenshot(browser, "dashboard-run-phone.png", 390);
                    browser.manage().window().setSize(new Dimension(1400, 1100));

                    browser.get(
                            app.httpUrl()
                                    + "#/run/"
                                    + URLEncoder.encode(HOSTILE_RUN, StandardCharsets.UTF_8)
                                            .replace("+", "%20"));
                    wait.until(d -> seriesLength(d, "chart-timeline") == 1);
                    assertThat(browser.findElement(By.id("run-title")).getText())
                            .isEqualTo(HOSTILE_RUN);
                    assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
                    assertNoDialog(browser);
                    assertNothingRefusedByThePolicy(browser);
                } catch (RuntimeException | AssertionError e) {
                    screenshot(browser, "dashboard-failure.png");
                    Files.writeString(
                            Path.of("target", "dashboard-failure.html"), browser.getPageSource());
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
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1400,1100");
        // the console, so that a test can see what the Content-Security-Policy refused
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File(CHROMEDRIVER))
                        .usingAnyFreePort()
                        .build();
        return new ChromeDriver(service, options);
    }

    static long seriesLength(org.openqa.selenium.WebDriver d, String chartId) {
        Object n =
                ((JavascriptExecutor) d)
                        .executeScript(
                                "const e = document.getElementById(arguments[0]); const c = e &&"
                                        + " echarts.getInstanceByDom(e); return c ?"
                                        + " c.getOption().series[0].data.length : -1;",
                                chartId);
        return ((Number) n).longValue();
    }

    /**
     * The head map colours each cell by its residual, the quantity its legend names (not by the
     * fitted scale T the cell also carries): the cell of the smallest residual has the legend's low
     * colour, the largest a different one, and cells of equal residual share a colour.
     */
    @SuppressWarnings("unchecked")
    static void assertHeadMapColoursByResidual(org.openqa.selenium.WebDriver d) {
        List<List<Object>> cells =
                (List<List<Object>>)
                        ((JavascriptExecutor) d)
                                .executeScript(
                                        "const c ="
                                            + " echarts.getInstanceByDom(document.getElementById('head-map'));"
                                            + " const data ="
                                            + " c.getModel().getSeriesByIndex(0).getData(); const"
                                            + " out = []; for (let i = 0; i < data.count(); i++) {"
                                            + " const v = data.getRawDataItem(i);   if (v[2] !=="
                                            + " '-') out.push([Number(v[2]), Number(v[3]),"
                                            + " String(data.getItemVisual(i, 'style').fill)]); }"
                                            + " return out;");
        String hex =
                String.valueOf(
                        ((JavascriptExecutor) d)
                                .executeScript(
                                        "return"
                                            + " echarts.getInstanceByDom(document.getElementById('head-map')).getOption().visualMap[0].inRange.color[0];"));
        String low =
                String.format(
                        "rgba(%d,%d,%d,1)",
                        Integer.parseInt(hex.substring(1, 3), 16),
                        Integer.parseInt(hex.substring(3, 5), 16),
                        Integer.parseInt(hex.substring(5, 7), 16));
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
        assertThat(((Number) least.get(0)).doubleValue())
                .as("the anchor layer's residuals")
                .isZero();
        assertThat(String.valueOf(least.get(2))).as("cell %s", least).isEqualToIgnoringCase(low);
        assertThat(String.valueOf(most.get(2))).as("cell %s", most).isNotEqualToIgnoringCase(low);
        java.util.Map<Double, java.util.Set<String>> coloursByResidual = new java.util.HashMap<>();
        cells.forEach(
                c ->
                        coloursByResidual
                                .computeIfAbsent(
                                        ((Number) c.get(0)).doubleValue(),
                                        r -> new java.util.HashSet<>())
                                .add(String.valueOf(c.get(2))));
        assertThat(coloursByResidual.values())
                .allSatisfy(colours -> assertThat(colours).hasSize(1));
    }

    static long seriesCount(org.openqa.selenium.WebDriver d, String chartId) {
        Object n =
                ((JavascriptExecutor) d)
                        .executeScript(
                                "const e = document.getElementById(arguments[0]); const c = e &&"
                                        + " echarts.getInstanceByDom(e); return c ?"
                                        + " c.getOption().series.filter(s => s.data &&"
                                        + " s.data.length).length : -1;",
                                chartId);
        return ((Number) n).longValue();
    }

    @SuppressWarnings("unchecked")
    static List<String> runIds(org.openqa.selenium.WebDriver d) {
        return (List<String>)
                ((JavascriptExecutor) d)
                        .executeScript(
                                "return [...document.querySelectorAll('#runs a.runid')].map(a =>"
                                        + " a.textContent);");
    }

    /**
     * Clicks the first element matching {@code css} in one script (it may be redrawn between
     * finding and clicking).
     */
    static void click(org.openqa.selenium.WebDriver d, String css) {
        Object clicked =
                ((JavascriptExecutor) d)
                        .executeScript(
                                "const e = document.querySelector(arguments[0]); if (e) e.click();"
                                        + " return !!e;",
                                css);
        assertThat(clicked).as("an element " + css).isEqualTo(true);
    }

    /** The visible text of the first element matching {@code css}, read at once. */
    static String text(org.openqa.selenium.WebDriver d, String css) {
        return (String)
                ((JavascriptExecutor) d)
                        .executeScript(
                                "const e = document.querySelector(arguments[0]); return e ?"
                                        + " e.innerText : null;",
                                css);
    }

    /** A run's verdict chip in the runs table: its text, a space, its classes. */
    static String chip(org.openqa.selenium.WebDriver d, String run, String anchor) {
        return (String)
                ((JavascriptExecutor) d)
                        .executeScript(
                                "const c = [...document.querySelectorAll('#runs tr')].find(r =>"
                                    + " r.dataset.run ==="
                                    + " arguments[0])?.querySelector(`td.verdict[data-anchor='${arguments[1]}']"
                                    + " .chip`); return c ? c.innerText + ' ' + c.className :"
                                    + " null;",
                                run,
                                anchor);
    }

    /** The whole page at {@code width}: the window made as tall as the page, shot, and put back. */
    static void fullPageScreenshot(ChromeDriver browser, String name, int width) throws Exception {
        Dimension before = browser.manage().window().getSize();
        Object height = browser.executeScript("return document.documentElement.scrollHeight;");
        browser.manage()
                .window()
                .setSize(new Dimension(width, Math.min(6000, ((Number) height).intValue() + 140)));
        // the charts follow the window's size on resize; one frame for them to draw
        new WebDriverWait(browser, Duration.ofSeconds(5))
                .until(
                        d ->
                                ((JavascriptExecutor) d)
                                        .executeScript(
                                                "return new Promise(r => requestAnimationFrame(()"
                                                        + " => requestAnimationFrame(() =>"
                                                        + " r(true))));"));
        screenshot(browser, name);
        browser.manage().window().setSize(before);
    }

    static long heatCells(org.openqa.selenium.WebDriver d) {
        return seriesLength(d, "chart-heatmap");
    }

    /**
     * Every page above ran under the served Content-Security-Policy: the browser's console names
     * nothing it refused.
     */
    static void assertNothingRefusedByThePolicy(ChromeDriver browser) {
        // a line of our own first: the console is read at all (Chromium reports each refusal there
        // as an error)
        browser.executeScript("console.error('headgeo console probe')");
        List<String> console =
                browser
                        .manage()
                        .logs()
                        .get(org.openqa.selenium.logging.LogType.BROWSER)
                        .getAll()
                        .stream()
                        .map(org.openqa.selenium.logging.LogEntry::getMessage)
                        .toList();
        assertThat(console).anyMatch(m -> m.contains("headgeo console probe"));
        assertThat(console).filteredOn(m -> m.contains("Content Security Policy")).isEmpty();
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
        Files.copy(
                browser.getScreenshotAs(OutputType.FILE).toPath(),
                out,
                StandardCopyOption.REPLACE_EXISTING);
    }
}
