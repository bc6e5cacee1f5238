package dev.headgeo.wire;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Header {@code headgeo.producer} on layer records: which client wrote them and its version ({@code
 * headgeo-python/0.4.0}, {@code headgeo-java/0.4.0}), so that the processor can say where a run's
 * records come from. Optional: records without it are as valid.
 */
public final class ProducerHeader {
    public static final String NAME = "headgeo.producer";

    /** This jar's own value. */
    public static final String JAVA = "headgeo-java/" + version();

    private ProducerHeader() {}

    private static String version() {
        String v = ProducerHeader.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public static void add(Headers headers) {
        headers.add(NAME, JAVA.getBytes(StandardCharsets.UTF_8));
    }

    /** The producer named by {@code headers}, cut to 64 printable characters; null when none. */
    public static String of(Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(NAME);
        if (h == null || h.value() == null) {
            return null;
        }
        String v = new String(h.value(), StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
        return v.length() > 64 ? v.substring(0, 64) + "…" : v;
    }
}
