package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The HTTP edge stays in small files, and the page takes its domain numbers from the API. */
class EdgeSourcesTest {
    static final Path HTTP = Path.of("src/main/java/dev/headgeo/http");
    static final Path DASHBOARD = Path.of("src/main/resources/dev/headgeo/http/dashboard");

    /**
     * 0.1 and 0.3 (the verdict bands), 0.98 and 0.9 (the stability bands), 0.8 (the forecast
     * agreement) as literals.
     */
    static final Pattern BAND = Pattern.compile("(?<![\\w.])0\\.(10?|30?|98|90?|80?)(?![\\d])");

    static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    /**
     * One purpose per file: 250 lines of 150 columns before the tree was formatted by
     * google-java-format (100 columns, one argument per line when a call does not fit), which
     * spreads the same code over about 1.5 times the lines.
     */
    @Test
    void noHttpSourceIsOver400Lines() throws IOException {
        List<String> long_ = new ArrayList<>();
        for (Path p : files(HTTP, ".java")) {
            int n = Files.readAllLines(p).size();
            if (n > 400) {
                long_.add(p + ": " + n);
            }
        }
        assertThat(long_).isEmpty();
    }

    @Test
    void theDashboardIsModulesOfAtMost300Lines() throws IOException {
        List<Path> scripts = files(DASHBOARD, ".js");
        assertThat(scripts).hasSizeGreaterThan(5);
        for (Path p : scripts) {
            assertThat(Files.readAllLines(p).size()).as(p.toString()).isLessThanOrEqualTo(300);
            assertThat(Files.readString(p))
                    .as(p + " is a module, not a script sharing globals")
                    .doesNotContain("(function ()");
        }
        assertThat(Files.readString(DASHBOARD.resolve("index.html")))
                .contains("<script type=\"module\" src=\"/assets/app.js\">");
    }

    @Test
    void thePageTypesNoVerdictOrStabilityBand() throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> sources = new ArrayList<>(files(DASHBOARD, ".js"));
        sources.add(DASHBOARD.resolve("index.html"));
        for (Path p : sources) {
            List<String> lines = Files.readAllLines(p);
            for (int i = 0; i < lines.size(); i++) {
                // colours' alpha is not a band; the report field frac_below_0_10 names its own
                // cut-off
                String code =
                        lines.get(i)
                                .replaceAll("rgba\\([^)]*\\)", "")
                                .replace("'heads with residual < 0.10'", "")
                                .replace("'heads with residual < 0.20'", "")
                                .replaceAll("^\\s*//.*", "");
                Matcher m = BAND.matcher(code);
                if (m.find()) {
                    found.add(p.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertThat(found).as("numbers that /api/thresholds serves").isEmpty();
        assertThat(BAND.matcher("x < 0.1 ? a : b").find())
                .as("the check finds a typed band")
                .isTrue();
    }
}
