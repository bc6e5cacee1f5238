package dev.headgeo.app;

import java.util.Properties;

/**
 * JVM settings headgeo chooses for itself when the command line does not: set before anything uses
 * them, so first thing in {@code main}.
 */
public final class JvmDefaults {
    /**
     * Kafka's clients hand heap buffers to socket writes and reads; the JDK copies each through a
     * direct buffer it then keeps per thread, as large as the largest transfer (MBs for batches of
     * layer records). Across the client threads that held about 40 MB resident (NMT "Other", issue
     * #28); above this size a transfer's direct buffer is freed after use instead.
     */
    static final String MAX_CACHED_BUFFER = "jdk.nio.maxCachedBufferSize";

    static final String MAX_CACHED_BUFFER_BYTES = Integer.toString(256 * 1024);

    private JvmDefaults() {}

    /** Sets each default the user has not set in {@code properties} (the system properties). */
    public static void apply(Properties properties) {
        if (properties.getProperty(MAX_CACHED_BUFFER) == null) {
            properties.setProperty(MAX_CACHED_BUFFER, MAX_CACHED_BUFFER_BYTES);
        }
    }
}
