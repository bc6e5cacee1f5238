package dev.headgeo.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Asks Kafka, before a command starts its real work, whether it can be reached and the client let
 * in, so that a dead address, a wrong password or a missing topic is one line naming the cause
 * within seconds, instead of a Kafka client retrying silently until its own time-outs.
 */
public final class KafkaCheck {
    private static final int CONNECT_TIMEOUT_MS = 3000;
    private static final long ADMIN_TIMEOUT_S = 10;

    private KafkaCheck() {}

    /**
     * Reaches a bootstrap server (TCP), then asks the cluster for its id with the client's security
     * settings, and, when {@code topics} are named, that they exist and may be described.
     *
     * @throws IllegalStateException with one line naming the cause
     */
    public static void check(Properties client, Collection<String> topics) {
        String bootstrap = String.valueOf(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        tcp(bootstrap);
        Properties p = adminConfig(client);
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().clusterId().get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
            if (!topics.isEmpty()) {
                requireDescribable(admin, topics, bootstrap);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(describe(e.getCause(), bootstrap));
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka at "
                            + bootstrap
                            + " accepts connections but did not answer within "
                            + ADMIN_TIMEOUT_S
                            + " s (a Kafka listener? security.protocol as the listener expects?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka at " + bootstrap);
        }
    }

    /**
     * Every topic exists and this principal may describe it; a refusal names the topics (the Admin
     * client's own exception does not).
     */
    private static void requireDescribable(Admin admin, Collection<String> topics, String bootstrap)
            throws ExecutionException, InterruptedException, TimeoutException {
        // one request, read topic by topic: one topic's refusal must not hide another's
        Map<String, KafkaFuture<TopicDescription>> perTopic =
                admin.describeTopics(topics).topicNameValues();
        List<String> refused = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String topic : topics) {
            try {
                perTopic.get(topic).get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    refused.add(topic);
                } else if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(topic);
                } else {
                    throw e;
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    topics(missing)
                            + (missing.size() == 1 ? " does not exist at " : " do not exist at ")
                            + bootstrap
                            + " (headgeo run creates its topics unless started with"
                            + " --no-create-topics)");
        }
        if (!refused.isEmpty()) {
            throw new IllegalStateException(
                    "not authorized at "
                            + bootstrap
                            + ": this principal lacks DESCRIBE on "
                            + topics(refused)
                            + " (READ or WRITE grants it; see the README's Failure modes for the"
                            + " ACLs headgeo's commands need)");
        }
    }

    private static String topics(List<String> names) {
        return (names.size() == 1 ? "topic " : "topics ") + String.join(", ", names);
    }

    /**
     * What a processor with application id {@code applicationId} needs (Kafka's security docs):
     * READ on its input and group, WRITE on its outputs; checked through the operations the brokers
     * say this principal may perform, so that a missing ACL is named before the streams start
     * instead of failing them later. Brokers that do not report authorized operations (no
     * authorizer) pass.
     *
     * @throws IllegalStateException naming every missing permission
     */
    public static void checkProcessorPermissions(
            Properties client, String applicationId, String input, List<String> outputs) {
        Map<String, AclOperation> topics = new java.util.LinkedHashMap<>();
        topics.put(input, AclOperation.READ);
        outputs.forEach(t -> topics.put(t, AclOperation.WRITE));
        checkPermissions(client, topics, applicationId);
    }

    /**
     * The same check for any client: {@code needs} maps each topic to the operation it needs (READ,
     * WRITE); READ on {@code group} is checked too unless it is null.
     *
     * @throws IllegalStateException naming every missing permission
     */
    public static void checkPermissions(
            Properties client, Map<String, AclOperation> needs, String group) {
        String bootstrap = String.valueOf(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        List<String> missing = new ArrayList<>();
        try (Admin admin = Admin.create(adminConfig(client))) {
            Set<AclOperation> cluster =
                    admin.describeCluster(
                                    new DescribeClusterOptions().includeAuthorizedOperations(true))
                            .authorizedOperations()
                            .get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
            if (cluster == null) {
                return;
            }
            // IDEMPOTENT_WRITE on the cluster is implied by WRITE on a topic since Kafka 2.8
            // (KIP-679)
            for (Map.Entry<String, AclOperation> need : needs.entrySet()) {
                String topic = need.getKey();
                AclOperation needed = need.getValue();
                try {
                    TopicDescription d =
                            admin.describeTopics(
                                            List.of(topic),
                                            new DescribeTopicsOptions()
                                                    .includeAuthorizedOperations(true))
                                    .allTopicNames()
                                    .get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS)
                                    .get(topic);
                    if (d.authorizedOperations() != null
                            && !allows(d.authorizedOperations(), needed)) {
                        missing.add(needed + " on topic " + topic);
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof AuthorizationException) {
                        missing.add(needed + " on topic " + topic);
                    } else {
                        throw e;
                    }
                }
            }
            if (group != null) {
                checkGroup(admin, group, missing);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(describe(e.getCause(), bootstrap));
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka at " + bootstrap + " did not answer within " + ADMIN_TIMEOUT_S + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka at " + bootstrap);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    "not authorized at "
                            + bootstrap
                            + ": this principal lacks "
                            + String.join(", ", missing)
                            + " (see the README's Failure modes for the ACLs headgeo's commands"
                            + " need)");
        }
    }

    private static void checkGroup(Admin admin, String group, List<String> missing)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            ConsumerGroupDescription description =
                    admin.describeConsumerGroups(
                                    List.of(group),
                                    new DescribeConsumerGroupsOptions()
                                            .includeAuthorizedOperations(true))
                            .all()
                            .get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS)
                            .get(group);
            if (description.authorizedOperations() != null
                    && !allows(description.authorizedOperations(), AclOperation.READ)) {
                missing.add("READ on group " + group);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                missing.add("READ on group " + group);
            } else if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                // a group that does not exist yet, but may be described: its ACL is there
                throw e;
            }
        }
    }

    private static boolean allows(Set<AclOperation> granted, AclOperation needed) {
        return granted.contains(needed) || granted.contains(AclOperation.ALL);
    }

    /** One line for a failed Admin call. */
    static String describe(Throwable cause, String bootstrap) {
        if (cause instanceof AuthenticationException) {
            return "authentication failed at " + bootstrap + ": " + cause.getMessage();
        }
        if (cause instanceof AuthorizationException) {
            return "not authorized at " + bootstrap + ": " + cause.getMessage();
        }
        if (cause instanceof UnknownTopicOrPartitionException) {
            return "a topic does not exist at "
                    + bootstrap
                    + " (headgeo run creates its topics unless started with --no-create-topics): "
                    + cause.getMessage();
        }
        return "Kafka at " + bootstrap + ": " + cause.getMessage();
    }

    /** Only the settings an Admin client understands, with short time-outs. */
    public static Properties adminConfig(Properties all) {
        Properties p = new Properties();
        for (String key : all.stringPropertyNames()) {
            if (AdminClientConfig.configNames().contains(key)) {
                p.put(key, all.getProperty(key));
            }
        }
        p.putIfAbsent(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                Long.toString(ADMIN_TIMEOUT_S * 1000));
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        return p;
    }

    /** Why no bootstrap server accepts a TCP connection, or null when one does. */
    public static String unreachable(String bootstrap) {
        try {
            tcp(bootstrap);
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private static void tcp(String bootstrap) {
        List<String> problems = new ArrayList<>();
        for (String server : bootstrap.split(",")) {
            String s = server.strip();
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalStateException("bootstrap server '" + s + "' is not HOST:PORT");
            }
            String host = s.substring(0, colon).replaceAll("^\\[|\\]$", "");
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalStateException("bootstrap server '" + s + "' has no port number");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return;
            } catch (UnknownHostException e) {
                problems.add(s + ": unknown host");
            } catch (ConnectException e) {
                problems.add(s + ": connection refused");
            } catch (SocketTimeoutException e) {
                problems.add(s + ": no answer within " + CONNECT_TIMEOUT_MS / 1000 + " s");
            } catch (IOException e) {
                problems.add(s + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("cannot reach Kafka: " + String.join("; ", problems));
    }
}
