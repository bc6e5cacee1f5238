package dev.headgeo.cli;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The connection options shared by run, publish, watch (a picocli mixin). */
final class KafkaClientSettings {
    static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--bootstrap-servers",
            defaultValue = DEFAULT_BOOTSTRAP_SERVERS,
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
            names = "--kafka",
            paramLabel = "KEY=VALUE",
            description =
                    "Any Kafka (Streams or client) property, repeatable; overrides headgeo's.")
    Map<String, String> kafka;

    /** Kafka properties from the config file's kafka.* lines and the --kafka flags. */
    Map<String, String> passThrough() {
        SettingDefaults defaults = (SettingDefaults) mixee.defaultValueProvider();
        return defaults == null ? (kafka == null ? Map.of() : kafka) : defaults.kafka(kafka);
    }

    /** Client properties: bootstrap servers, then the pass-through ones. */
    Properties clientProperties() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(passThrough());
        return p;
    }
}
