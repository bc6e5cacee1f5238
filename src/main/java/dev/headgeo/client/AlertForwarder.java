package dev.headgeo.client;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.HeadgeoTopics;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code headgeo.alerts} in a consumer group and POSTs each alert to a receiver; an alert's
 * offset is committed only after a 2xx answer, so delivery is at-least-once and a restarted
 * forwarder resumes after the last acknowledged alert. A failed POST is retried with back-off (a
 * 4xx other than 408/429 is not: the receiver will not change its mind) until {@code maxWait}.
 */
public final class AlertForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertForwarder.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * Where and how to deliver. {@code types}: the alert types to deliver; the end of a state (a
     * forecast withdrawn, an incomplete spell over) goes wherever its start goes. {@code
     * labelTags}: run tags that become Alertmanager labels, as {@code run --label-tags} gives them
     * to the rules' series.
     */
    public record Target(
            URI to,
            AlertDelivery format,
            Set<AlertType> types,
            String dashboardUrl,
            Duration maxWait,
            List<String> labelTags) {
        public Target {
            labelTags = List.copyOf(labelTags);
            TagLabels.check(labelTags);
        }

        public Target(
                URI to,
                AlertDelivery format,
                Set<AlertType> types,
                String dashboardUrl,
                Duration maxWait) {
            this(to, format, types, dashboardUrl, maxWait, List.of());
        }

        boolean wants(AlertType type) {
            return types.contains(type) || types.contains(AlertDelivery.stateOf(type));
        }
    }

    /** Delivery failed for good; the message is one line. */
    public static final class DeliveryException extends RuntimeException {
        public DeliveryException(String message) {
            super(message, null, false, false);
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<Alert> alerts;
    private final Target target;
    private final URI url;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile boolean stopping;
    private long delivered;

    /**
     * @param fromBeginning where a new group starts: the oldest alert, or (false) the next one
     */
    public AlertForwarder(
            Properties client,
            HeadgeoTopics topics,
            String group,
            boolean fromBeginning,
            Target target) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        // one alert at a time: each is committed after its POST
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        // a killed forwarder's partitions move to its successor after 10 s instead of the default
        // 45 s
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        p.put(
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                Long.toString(Math.max(300_000L, target.maxWait().toMillis() + 60_000L)));
        p.putAll(client);
        this.consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.alerts = topics.alerts().valueSerde().deserializer();
        this.target = target;
        this.url = target.format().target(target.to());
        String bootstrap = String.valueOf(p.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
        consumer.subscribe(
                java.util.List.of(topics.alerts().name()),
                new GroupStart(
                        consumer,
                        where ->
                                LOG.info(
                                        "forwarding {} alerts from Kafka at {} (group {}) to {}:"
                                                + " reading {}",
                                        target.format(),
                                        bootstrap,
                                        group,
                                        url,
                                        where)));
    }

    /** Alerts acknowledged by the receiver so far. */
    public long delivered() {
        return delivered;
    }

    /**
     * Forwards until {@link #stop()}.
     *
     * @throws DeliveryException when an alert cannot be delivered within the wait, or the receiver
     *     refuses it
     */
    public void run() {
        try {
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    handle(r);
                    consumer.commitSync(
                            Map.of(
                                    new TopicPartition(r.topic(), r.partition()),
                                    new OffsetAndMetadata(r.offset() + 1)));
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        Alert alert;
        try {
            alert = alerts.deserialize(r.topic(), r.value());
        } catch (AvroCodec.MalformedException e) {
            LOG.warn(
                    "skipped an undecodable alert at {}-{}@{}: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    e.getMessage());
            return;
        }
        if (!target.wants(alert.getType())) {
            return;
        }
        post(alert, target.format().body(alert, target.dashboardUrl(), target.labelTags()));
        delivered++;
        LOG.info(
                "forwarded {} of run {} (checkpoint {}) to {}",
                alert.getType(),
                alert.getRunId(),
                alert.getCheckpoint(),
                url);
    }

    private void post(Alert alert, String body) {
        long deadline = System.nanoTime() + target.maxWait().toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            String problem;
            try {
                HttpResponse<String> response =
                        http.send(
                                HttpRequest.newBuilder(url)
                                        .timeout(Duration.ofSeconds(10))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return;
                }
                problem = "answered " + status + firstLine(response.body());
                if (status / 100 == 4 && status != 408 && status != 429) {
                    throw new DeliveryException(
                            url
                                    + " refused the "
                                    + alert.getType()
                                    + " alert of run "
                                    + alert.getRunId()
                                    + ": "
                                    + problem);
                }
            } catch (ConnectException e) {
                problem = "connection refused";
            } catch (HttpTimeoutException e) {
                problem = "no answer within 10 s";
            } catch (IOException e) {
                problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeliveryException("interrupted while delivering to " + url);
            }
            long left = deadline - System.nanoTime();
            if (stopping || left <= 0) {
                throw new DeliveryException(
                        "could not deliver the "
                                + alert.getType()
                                + " alert of run "
                                + alert.getRunId()
                                + " to "
                                + url
                                + " within "
                                + target.maxWait().toSeconds()
                                + " s: "
                                + problem);
            }
            // the last attempt is made at the deadline, so --max-wait is kept to the second
            long pause = Math.min(backoff.toMillis(), Math.max(1, left / 1_000_000L));
            LOG.warn("POST {} failed ({}); retrying in {} ms", url, problem, pause);
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeliveryException("interrupted while delivering to " + url);
            }
            backoff =
                    backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                            ? MAX_BACKOFF
                            : backoff.multipliedBy(2);
        }
    }

    private static String firstLine(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String line = body.strip().lines().findFirst().orElse("");
        return ": " + (line.length() > 200 ? line.substring(0, 200) + "…" : line);
    }

    /** Ends {@link #run()} from another thread (Ctrl-C). */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
