package dev.headgeo.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/** The connection options shared by run, publish and watch (a picocli mixin). */
final class KafkaClientSettings {
    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: localhost:9092; env HEADGEO_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "Any Kafka (Streams or client) property, repeatable; overrides headgeo's.")
    Map<String, String> kafka;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings (name=value) and kafka.KEY=VALUE lines.")
    Path config;

    private SettingSources sources;

    SettingSources sources() {
        if (sources == null) {
            sources = SettingSources.load(config, System.getenv());
        }
        return sources;
    }

    String bootstrap() {
        return sources().get(bootstrapServers, "bootstrap-servers", "localhost:9092");
    }

    /** Client properties: bootstrap servers, then the pass-through ones. */
    Properties clientProperties() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.putAll(sources().kafka(kafka));
        return p;
    }
}
