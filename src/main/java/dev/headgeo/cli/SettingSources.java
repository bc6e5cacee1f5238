package dev.headgeo.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where a setting comes from, strongest first: the command-line flag, the environment
 * ({@code HEADGEO_BOOTSTRAP_SERVERS} for {@code --bootstrap-servers}), the {@code --config}
 * properties file (key {@code bootstrap-servers}), the default. Kafka properties pass through from
 * {@code --kafka KEY=VALUE} flags and {@code kafka.KEY=VALUE} lines of the file.
 */
final class SettingSources {
    private final Map<String, String> env;
    private final Properties file;

    private SettingSources(Map<String, String> env, Properties file) {
        this.env = env;
        this.file = file;
    }

    static SettingSources load(Path configFile, Map<String, String> env) {
        Properties file = new Properties();
        if (configFile != null) {
            try (Reader r = Files.newBufferedReader(configFile)) {
                file.load(r);
            } catch (NoSuchFileException e) {
                throw new UserError("--config " + configFile + ": no such file");
            } catch (IOException | IllegalArgumentException e) {
                throw new UserError("--config " + configFile + ": cannot read: " + e.getMessage());
            }
        }
        return new SettingSources(env, file);
    }

    static String envName(String setting) {
        return "HEADGEO_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** @return the flag's value if given, else the environment's, else the file's, else {@code fallback} */
    String get(String flagValue, String setting, String fallback) {
        if (flagValue != null) {
            return flagValue;
        }
        String fromEnv = env.get(envName(setting));
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        String fromFile = file.getProperty(setting);
        return fromFile != null ? fromFile.strip() : fallback;
    }

    /** Kafka properties: the file's {@code kafka.*} entries, overridden by {@code --kafka} flags. */
    Map<String, String> kafka(Map<String, String> flags) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith("kafka.")) {
                out.put(key.substring("kafka.".length()), file.getProperty(key).strip());
            }
        }
        if (flags != null) {
            out.putAll(flags);
        }
        return out;
    }
}
