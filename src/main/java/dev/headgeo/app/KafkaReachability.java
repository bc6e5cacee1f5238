package dev.headgeo.app;

import dev.headgeo.client.KafkaCheck;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the cluster for its id every two seconds while the processor runs, and says so once when
 * Kafka becomes unreachable (WARN, with the cause) and once when it is back (INFO, with how long it
 * was gone): Kafka Streams itself stays RUNNING through an outage and only retries quietly, so this
 * is what {@code /ready} and {@code headgeo_ready} go by. A failed check is known within about 5 s.
 */
final class KafkaReachability implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaReachability.class);
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final int CHECK_TIMEOUT_S = 3;

    private final Admin admin;
    private final String bootstrap;
    private final Thread thread;
    private volatile boolean reachable = true;
    private volatile boolean closed;
    private volatile long lostAt;
    private volatile String cause;

    KafkaReachability(Properties client) {
        Properties p = KafkaCheck.adminConfig(client);
        p.put("default.api.timeout.ms", Integer.toString(CHECK_TIMEOUT_S * 1000));
        p.put("request.timeout.ms", Integer.toString(CHECK_TIMEOUT_S * 1000));
        this.admin = Admin.create(p);
        this.bootstrap = String.valueOf(client.get("bootstrap.servers"));
        this.thread = new Thread(this::watch, "headgeo-kafka-watch");
        thread.setDaemon(true);
        thread.start();
    }

    boolean reachable() {
        return reachable;
    }

    /** Why Kafka counts as unreachable now, with since when, in one line; null while it answers. */
    String problem() {
        if (reachable) {
            return null;
        }
        return "Kafka at "
                + bootstrap
                + " unreachable for "
                + (System.nanoTime() - lostAt) / 1_000_000_000L
                + " s: "
                + cause;
    }

    private void watch() {
        while (!closed) {
            String problem = null;
            try {
                admin.describeCluster().clusterId().get(CHECK_TIMEOUT_S, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                problem = e.getCause() == null ? e.toString() : e.getCause().getMessage();
            } catch (TimeoutException e) {
                String refused = KafkaCheck.unreachable(bootstrap);
                problem = refused != null ? refused : "no answer within " + CHECK_TIMEOUT_S + " s";
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            if (problem != null && reachable) {
                cause = problem.replace("cannot reach Kafka: " + bootstrap + ": ", "");
                lostAt = System.nanoTime() - TimeUnit.SECONDS.toNanos(CHECK_TIMEOUT_S);
                reachable = false;
                LOG.warn(
                        "Kafka at {} unreachable since {}: {}; the processor waits and resumes by"
                                + " itself",
                        bootstrap,
                        LocalTime.now().truncatedTo(ChronoUnit.SECONDS),
                        problem);
            } else if (problem == null && !reachable) {
                reachable = true;
                LOG.info(
                        "Kafka at {} reachable again after {} s",
                        bootstrap,
                        (System.nanoTime() - lostAt) / 1_000_000_000L);
            }
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        admin.close(Duration.ZERO);
    }
}
