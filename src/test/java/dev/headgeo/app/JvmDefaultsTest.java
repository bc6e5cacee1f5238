package dev.headgeo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class JvmDefaultsTest {
    @Test
    void capsTheCachedDirectBuffersWhenTheUserDidNot() {
        Properties p = new Properties();
        JvmDefaults.apply(p);
        assertEquals("262144", p.getProperty("jdk.nio.maxCachedBufferSize"));
    }

    @Test
    void keepsWhatTheUserSet() {
        Properties p = new Properties();
        p.setProperty("jdk.nio.maxCachedBufferSize", "1048576");
        JvmDefaults.apply(p);
        assertEquals("1048576", p.getProperty("jdk.nio.maxCachedBufferSize"));
    }
}
