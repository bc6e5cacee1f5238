package dev.headgeo.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link and image in the README and the pages under docs/ leads to a file that
 * exists, and to a heading there.
 */
class DocsLinksTest {
    /**
     * A Markdown link or image, or an HTML img/a tag's quoted src/href (pages embed images with a
     * width that way).
     */
    private static final Pattern LINK =
            Pattern.compile(
                    "!?\\[[^\\]]*\\]\\(([^)\\s]+)\\)|<(?:img|a)\\s[^>]*?(?:src|href)=\"([^\"]+)\"");

    private static final Pattern HEADING = Pattern.compile("^#+\\s+(.*)$", Pattern.MULTILINE);

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<Path> pages =
                new ArrayList<>(List.of(Path.of("README.md"), Path.of("clients/python/README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        assertThat(pages)
                .extracting(Path::toString)
                .contains(
                        "docs/training.md",
                        "docs/operations.md",
                        "docs/monitoring.md",
                        "docs/reference.md",
                        "docs/performance.md");
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            Matcher m = LINK.matcher(Files.readString(page));
            while (m.find()) {
                String target = m.group(1) != null ? m.group(1) : m.group(2);
                if (target.matches("^(https?|mailto):.*")) {
                    continue;
                }
                checked++;
                String file =
                        target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor =
                        target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved =
                        file.isEmpty()
                                ? page
                                : page.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (anchor != null
                        && resolved.toString().endsWith(".md")
                        && !anchors(resolved).contains(anchor)) {
                    broken.add(page + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).isEmpty();
        assertThat(checked).as("links checked").isGreaterThan(10);
    }

    @Test
    void theReadmeIsAnEntryPage() throws IOException {
        assertThat(Files.readAllLines(Path.of("README.md"))).hasSizeLessThan(200);
    }

    /** GitHub's anchors: the heading in lower case, without punctuation, spaces as hyphens. */
    static Set<String> anchors(Path page) throws IOException {
        Matcher m = HEADING.matcher(Files.readString(page));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(
                    m.group(1)
                            .strip()
                            .toLowerCase(Locale.ROOT)
                            .replaceAll("[^\\p{L}\\p{N} _-]", "")
                            .replace(' ', '-'));
        }
        return out.stream().collect(Collectors.toSet());
    }
}
