package dev.headgeo.http;

import dev.headgeo.stream.HeadgeoTopology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks the other instances of the application (Kafka Streams' metadata names them by their {@code
 * application.server}) the same path at once, each answering from its own stores only. An instance
 * that does not answer within {@link #REMOTE_TIMEOUT} is reported as missing instead of failing the
 * whole answer. A single run is first looked for where its key says ({@link #ownerOf}: Java's
 * partitioner, which the Java and Python clients use), and only then everywhere: a producer with
 * another partitioner (librdkafka's default) puts a run elsewhere, and the run is wherever a store
 * holds it.
 */
final class InstanceRouter {
    /** Header that asks an instance to answer from its own stores, without asking others. */
    static final String LOCAL_HEADER = "X-Headgeo-Local";

    /**
     * Header on a local answer: {@code active} or {@code standby}, which copy of the run answered.
     */
    static final String COPY_HEADER = "X-Headgeo-Copy";

    static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(3);

    /** A run id as the clients key their records: its UTF-8 bytes. */
    private static final Serializer<String> KEY_SERIALIZER = new StringSerializer();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final String token;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(REMOTE_TIMEOUT).build();

    InstanceRouter(KafkaStreams streams, HostInfo self, String token) {
        this.streams = streams;
        this.self = self;
        this.token = token;
    }

    /** One instance's answer. */
    record Answer(String instance, int status, String body, boolean standby) {}

    /**
     * What the others said; {@code missing}: instances that did not answer (or answered 5xx), as
     * host:port.
     */
    record Gathered(List<Answer> answers, List<String> missing) {}

    /** Every other instance of the application now. */
    List<HostInfo> others() {
        List<HostInfo> out = new ArrayList<>();
        for (StreamsMetadata md : streams.metadataForAllStreamsClients()) {
            if (!md.hostInfo().equals(self) && !out.contains(md.hostInfo())) {
                out.add(md.hostInfo());
            }
        }
        return out;
    }

    /**
     * The instances holding the partition Java's partitioner gives {@code runId}: the active one
     * and the standbys; null while that is not known (a rebalance, a store not yet created).
     */
    KeyQueryMetadata ownerOf(String runId) {
        KeyQueryMetadata md;
        try {
            md =
                    streams.queryMetadataForKey(
                            HeadgeoTopology.RUN_STATE_STORE, runId, KEY_SERIALIZER);
        } catch (IllegalStateException notRunning) {
            return null;
        }
        return md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE) ? null : md;
    }

    boolean isSelf(HostInfo host) {
        return host.equals(self);
    }

    /**
     * Asks {@code host} alone, waiting at most {@link #REMOTE_TIMEOUT}; null when it did not answer
     * (or answered 5xx).
     */
    Answer ask(HostInfo host, String pathAndQuery) {
        CompletableFuture<HttpResponse<String>> call = send(host, pathAndQuery);
        try {
            HttpResponse<String> r =
                    call.get(REMOTE_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
            return r.statusCode() >= 500 ? null : answer(host, r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // it failed or was too slow: it is missing
        }
        call.cancel(true);
        return null;
    }

    private CompletableFuture<HttpResponse<String>> send(HostInfo host, String pathAndQuery) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://" + name(host) + pathAndQuery))
                        .timeout(REMOTE_TIMEOUT)
                        .header(LOCAL_HEADER, "1")
                        .GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Answer answer(HostInfo host, HttpResponse<String> r) {
        return new Answer(
                name(host),
                r.statusCode(),
                r.body(),
                "standby".equals(r.headers().firstValue(COPY_HEADER).orElse("")));
    }

    static String name(HostInfo host) {
        return host.host() + ":" + host.port();
    }

    /**
     * Asks every other instance {@code pathAndQuery} in parallel and waits at most {@link
     * #REMOTE_TIMEOUT} overall.
     */
    Gathered askOthers(String pathAndQuery) {
        return askOthers(pathAndQuery, Set.of());
    }

    /** The same, leaving out the instances in {@code skip} (already asked). */
    Gathered askOthers(String pathAndQuery, Set<HostInfo> skip) {
        List<HostInfo> hosts = others().stream().filter(h -> !skip.contains(h)).toList();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (HostInfo host : hosts) {
            calls.add(send(host, pathAndQuery));
        }
        try {
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                    .get(REMOTE_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // one failed or was too slow: the others' answers still count
        }
        List<Answer> answers = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            CompletableFuture<HttpResponse<String>> call = calls.get(i);
            HttpResponse<String> r =
                    call.isDone() && !call.isCompletedExceptionally() ? call.join() : null;
            if (r == null || r.statusCode() >= 500) {
                call.cancel(true);
                missing.add(name(hosts.get(i)));
            } else {
                answers.add(answer(hosts.get(i), r));
            }
        }
        return new Gathered(answers, missing);
    }
}
