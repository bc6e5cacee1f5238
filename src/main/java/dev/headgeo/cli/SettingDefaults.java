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
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when its flag is not given, for every option of every command:
 * the environment ({@code HEADGEO_BOOTSTRAP_SERVERS} for {@code --bootstrap-servers}), then the
 * {@code --config} properties file (key {@code bootstrap-servers}), then the option's own {@code
 * defaultValue} (picocli uses it when this provider answers null). The flag itself beats all three.
 * Kafka properties pass through from {@code kafka.KEY=VALUE} lines of the file.
 *
 * <p>picocli applies defaults before it reads the flags, so the config file is found by looking for
 * {@code --config} in the arguments first (or {@code HEADGEO_CONFIG}).
 */
final class SettingDefaults implements IDefaultValueProvider {
    static final String CONFIG_OPTION = "--config";
    private static final String KAFKA_PREFIX = "kafka.";

    private final Map<String, String> env;
    private final Properties file;

    private SettingDefaults(Map<String, String> env, Properties file) {
        this.env = env;
        this.file = file;
    }

    /**
     * @throws UserError when the config file named in {@code args} or the environment cannot be
     *     read
     */
    static SettingDefaults load(String[] args, Map<String, String> env) {
        String path = configPath(args, env);
        Properties file = new Properties();
        if (path != null) {
            Path configFile = Path.of(path);
            try (Reader r = Files.newBufferedReader(configFile)) {
                file.load(r);
            } catch (NoSuchFileException e) {
                throw new UserError(CONFIG_OPTION + " " + configFile + ": no such file");
            } catch (IOException | IllegalArgumentException e) {
                throw new UserError(
                        CONFIG_OPTION + " " + configFile + ": cannot read: " + e.getMessage());
            }
        }
        return new SettingDefaults(env, file);
    }

    private static String configPath(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(CONFIG_OPTION) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(CONFIG_OPTION + "=")) {
                return args[i].substring(CONFIG_OPTION.length() + 1);
            }
        }
        return blankToNull(env.get(envName("config")));
    }

    /** {@code HEADGEO_DEAD_LETTER_TOPIC} for {@code dead-letter-topic}. */
    static String envName(String setting) {
        return "HEADGEO_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String setting = option.longestName().replaceFirst("^-+", "");
        if (setting.equals("config") || setting.equals("kafka")) {
            return null;
        }
        String fromEnv = blankToNull(env.get(envName(setting)));
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file.getProperty(setting);
        return fromFile == null ? null : fromFile.strip();
    }

    /**
     * Kafka properties: the file's {@code kafka.*} entries, overridden by {@code --kafka} flags.
     */
    Map<String, String> kafka(Map<String, String> flags) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith(KAFKA_PREFIX)) {
                out.put(key.substring(KAFKA_PREFIX.length()), file.getProperty(key).strip());
            }
        }
        if (flags != null) {
            out.putAll(flags);
        }
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
