package dev.headgeo.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates headgeo's topics that do not exist yet, with the broker's default partitions and
 * replication.
 */
public final class TopicCreator {
    private TopicCreator() {}

    /**
     * @param clientConfig client or Streams properties (bootstrap servers, security); only those an
     *     Admin client knows are used
     * @return the topics that were created
     * @throws IllegalStateException with one line saying why, when the cluster cannot be reached or
     *     refuses
     */
    public static List<String> createMissing(Properties clientConfig, List<String> topics) {
        Properties adminConfig = KafkaCheck.adminConfig(clientConfig);
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, Optional.empty(), Optional.empty()));
                }
            }
            List<String> created = new ArrayList<>();
            for (NewTopic t : missing) {
                try {
                    admin.createTopics(List.of(t)).all().get(10, TimeUnit.SECONDS);
                    created.add(t.name());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof AuthorizationException) {
                        throw new IllegalStateException(
                                "cannot create topic "
                                        + t.name()
                                        + " at "
                                        + adminConfig.get("bootstrap.servers")
                                        + ": this principal lacks CREATE on the cluster or the"
                                        + " topic (grant it, or create the topics beforehand and"
                                        + " start with --no-create-topics)");
                    }
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic "
                                        + t.name()
                                        + ": "
                                        + e.getCause().getMessage());
                    }
                }
            }
            awaitLeaders(admin, created);
            return created;
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "no answer from Kafka at "
                            + adminConfig.get("bootstrap.servers")
                            + " within 10 s");
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot list topics at "
                            + adminConfig.get("bootstrap.servers")
                            + ": "
                            + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics");
        }
    }

    /**
     * Waits (at most 10 s) until every partition of the new topics has a leader: a first produce
     * racing the creation fails its first batch while the next ones arrive, which the broker logs
     * as an ERROR OutOfOrderSequenceException and the producer as a WARN before it retries;
     * harmless, alarming.
     */
    private static void awaitLeaders(Admin admin, List<String> created)
            throws InterruptedException {
        if (created.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                boolean led =
                        admin
                                .describeTopics(created)
                                .allTopicNames()
                                .get(5, TimeUnit.SECONDS)
                                .values()
                                .stream()
                                .allMatch(
                                        d ->
                                                d.partitions().stream()
                                                        .allMatch(
                                                                p ->
                                                                        p.leader() != null
                                                                                && !p.leader()
                                                                                        .isEmpty()));
                if (led) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // not described yet: ask again
            }
            Thread.sleep(50);
        }
    }
}
