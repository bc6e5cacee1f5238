package dev.headgeo.app;

import dev.headgeo.client.KafkaCheck;
import dev.headgeo.client.TopicCreator;
import dev.headgeo.http.ApiServer;
import dev.headgeo.http.HttpAddress;
import dev.headgeo.http.MetricsLimits;
import dev.headgeo.stream.HeadgeoMetrics;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.wire.HeadgeoTopics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor as {@code run} (and {@code demo}) deploys it: missing topics created (unless told
 * not to), the HTTP server bound first so that {@code application.server} names its real port, then
 * the streams, whose state the server answers from.
 */
public final class ProcessorApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorApp.class);

    private final HeadgeoService service;
    private final ApiServer http;
    private final String httpUrl;
    private final JvmGcMetrics gcMetrics;
    private final KafkaReachability kafka;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProcessorApp(
            HeadgeoService service,
            ApiServer http,
            String httpUrl,
            JvmGcMetrics gcMetrics,
            KafkaReachability kafka) {
        this.service = service;
        this.http = http;
        this.httpUrl = httpUrl;
        this.gcMetrics = gcMetrics;
        this.kafka = kafka;
    }

    /**
     * @param httpAddress null for no HTTP server
     * @param httpToken bearer token for the HTTP server; null for none
     * @throws IllegalStateException with one line when Kafka or the HTTP address refuses
     */
    public static ProcessorApp start(
            Properties streamsConfig,
            HeadgeoTopics topics,
            StreamSettings settings,
            boolean createTopics,
            HttpAddress httpAddress,
            String httpToken) {
        return start(
                streamsConfig,
                topics,
                settings,
                createTopics,
                httpAddress,
                httpToken,
                MetricsLimits.DEFAULT);
    }

    /** The same, with bounds on the per-run series of {@code /metrics}. */
    public static ProcessorApp start(
            Properties streamsConfig,
            HeadgeoTopics topics,
            StreamSettings settings,
            boolean createTopics,
            HttpAddress httpAddress,
            String httpToken,
            MetricsLimits metricsLimits) {
        if (createTopics) {
            List<String> created = TopicCreator.createMissing(streamsConfig, topics.names());
            if (!created.isEmpty()) {
                LOG.info("created topics {}", created);
            }
        }
        KafkaCheck.checkProcessorPermissions(
                streamsConfig,
                String.valueOf(streamsConfig.get(StreamsConfig.APPLICATION_ID_CONFIG)),
                topics.layers().name(),
                List.of(
                        topics.reports().name(),
                        topics.alerts().name(),
                        topics.deadLetters().name()));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        ApiServer http = null;
        HostInfo self = null;
        String url = null;
        Properties config = new Properties();
        config.putAll(streamsConfig);
        if (httpAddress != null) {
            http = ApiServer.start(httpAddress, httpToken, registry, metricsLimits);
            self = new HostInfo(httpAddress.reachableHost(), http.port());
            config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
            url = "http://" + self.host() + ":" + self.port() + "/";
        }
        Object stateDir = config.get(StreamsConfig.STATE_DIR_CONFIG);
        RocksDbNative.loadInto(
                Path.of(
                        stateDir != null
                                ? stateDir.toString()
                                : System.getProperty("java.io.tmpdir") + "/kafka-streams"));
        HeadgeoService service;
        try {
            service = HeadgeoService.start(config, topics, settings, new HeadgeoMetrics(registry));
        } catch (RuntimeException e) {
            if (http != null) {
                http.close();
            }
            gc.close();
            throw e;
        }
        KafkaReachability reachability = new KafkaReachability(streamsConfig);
        if (http != null) {
            http.attach(service, self, reachability::problem, settings.alerts());
        }
        io.micrometer.core.instrument.Gauge.builder(
                        "headgeo.kafka.reachable", reachability, r -> r.reachable() ? 1 : 0)
                .description("1 while the cluster answers this instance")
                .register(registry);
        return new ProcessorApp(service, http, url, gc, reachability);
    }

    /** The dashboard's URL, or null without an HTTP server. */
    public String httpUrl() {
        return httpUrl;
    }

    public HeadgeoService service() {
        return service;
    }

    public KafkaStreams.State state() {
        return service.state();
    }

    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return service.awaitRunning(timeout);
    }

    /** Idempotent: the streams first (leaving the group), then the HTTP server. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        kafka.close();
        service.close();
        if (http != null) {
            http.close();
        }
        gcMetrics.close();
    }
}
