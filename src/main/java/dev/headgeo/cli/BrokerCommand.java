package dev.headgeo.cli;

import dev.headgeo.kafka.EmbeddedKafka;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description =
                "A single-node Kafka broker (KRaft) in this JVM on 127.0.0.1, for trying headgeo"
                        + " without a cluster. Data lives in a temp dir removed on exit.")
final class BrokerCommand implements Callable<Integer> {
    @Mixin ConfigFileOption configFile;

    @Option(
            names = "--port",
            defaultValue = "9092",
            description =
                    "Client port on 127.0.0.1; 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(port);
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage());
        }
        ShutdownLatch stopped = ShutdownLatch.onSignal("broker-shutdown", kafka::close);
        System.out.println("Kafka is up at " + kafka.bootstrapServers() + " (Ctrl-C to stop)");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
