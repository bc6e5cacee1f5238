package dev.headgeo.cli;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Settings as logged: values of keys that look secret are masked. */
final class Secrets {
    private Secrets() {}

    static Map<String, String> masked(Map<String, String> settings) {
        Map<String, String> out = new TreeMap<>();
        settings.forEach(
                (k, v) -> {
                    String key = k.toLowerCase(Locale.ROOT);
                    boolean secret =
                            key.contains("password")
                                    || key.contains("secret")
                                    || key.contains("jaas")
                                    || key.contains("token")
                                    || key.endsWith(".key");
                    out.put(k, secret ? "****" : v);
                });
        return out;
    }
}
