package dev.headgeo.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.stream.HeadgeoTopology;
import dev.headgeo.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Which instance answers: the owner of a run's key (Kafka Streams' query metadata), or every
 * instance for the whole list. Another instance is asked over HTTP with the same path, marked so
 * that it answers from its own stores only.
 */
final class InstanceRouter {
    /** Header that asks an instance to answer from its own stores, without asking others. */
    static final String LOCAL_HEADER = "X-Headgeo-Local";
    private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaStreams streams;
    private final HostInfo self;
    private final String token;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(REMOTE_TIMEOUT).build();

    InstanceRouter(KafkaStreams streams, HostInfo self, String token) {
        this.streams = streams;
        this.self = self;
        this.token = token;
    }

    /** The instance that owns {@code runId} now: null when it is this one. */
    HostInfo ownerOf(String runId) {
        KeyQueryMetadata md = streams.queryMetadataForKey(HeadgeoTopology.RUN_STATE_STORE, runId, new StringSerializer());
        if (md == null || md == KeyQueryMetadata.NOT_AVAILABLE) {
            throw new Unavailable("the owner of run " + runId + " is not known yet (rebalancing); retry");
        }
        return md.activeHost().equals(self) ? null : md.activeHost();
    }

    /** Every other instance of the application. */
    List<HostInfo> others() {
        List<HostInfo> out = new ArrayList<>();
        for (StreamsMetadata md : streams.metadataForAllStreamsClients()) {
            if (!md.hostInfo().equals(self)) {
                out.add(md.hostInfo());
            }
        }
        return out;
    }

    /** Asks {@code host} for {@code pathAndQuery}; returns its status and body. */
    Answer ask(HostInfo host, String pathAndQuery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
                .timeout(REMOTE_TIMEOUT).header(LOCAL_HEADER, "1").GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new Unavailable("instance " + host.host() + ":" + host.port() + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while asking " + host.host() + ":" + host.port());
        }
    }

    /** Asks {@code host} and reads the JSON of a 200 answer, or fails as unavailable. */
    JsonNode askJson(HostInfo host, String pathAndQuery) {
        Answer a = ask(host, pathAndQuery);
        if (a.status() != 200) {
            throw new Unavailable("instance " + host.host() + ":" + host.port() + " answered " + a.status() + " for " + pathAndQuery);
        }
        try {
            return Json.MAPPER.readTree(a.body());
        } catch (IOException e) {
            throw new Unavailable("instance " + host.host() + ":" + host.port() + " answered no JSON");
        }
    }

    record Answer(int status, String body) {
    }

    /** The answer needs an instance or a state that is not there now: 503. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }
}
