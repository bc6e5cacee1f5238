package dev.headgeo.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE}, on every command. {@link SettingDefaults} reads the file before picocli
 * parses; the option is declared so that it is accepted and listed in the help.
 */
final class ConfigFileOption {
    @Option(
            names = SettingDefaults.CONFIG_OPTION,
            paramLabel = "FILE",
            description =
                    "Properties file with settings (name=value, names as the flags without dashes)"
                            + " and kafka.KEY=VALUE lines; each setting: flag > HEADGEO_<NAME>"
                            + " environment variable > this file > default.")
    Path config;
}
