package dev.headgeo.stream;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead-letter records in the shape of Kafka's own (KIP-1034): original key and value bytes, the
 * original headers, {@code __streams.errors.*} headers for the exception, message and source topic,
 * partition and offset; plus {@code headgeo.reason} and {@code headgeo.detail}. A value over 512
 * KiB is cut to its first 64 KiB (header {@code headgeo.truncated-from} = its length), so that the
 * dead letter itself can always be sent; the original is still in the input topic at the offset the
 * headers name. The topology's processors build theirs here ({@link #of}), and so do Kafka's
 * exception handlers, the safety net for what the topology cannot see ({@link #forHandler}); every
 * dead letter is counted under its reason.
 */
public final class DeadLetters {
    public static final String REASON_HEADER = "headgeo.reason";
    public static final String DETAIL_HEADER = "headgeo.detail";

    /** Present when the value was cut: the original value's length in bytes (decimal). */
    public static final String TRUNCATED_HEADER = "headgeo.truncated-from";

    /** KIP-1034's header names, as Kafka Streams' own dead-letter records carry them. */
    public static final String EXCEPTION_HEADER = "__streams.errors.exception";

    public static final String STACKTRACE_HEADER = "__streams.errors.stacktrace";
    public static final String MESSAGE_HEADER = "__streams.errors.message";
    public static final String TOPIC_HEADER = "__streams.errors.topic";
    public static final String PARTITION_HEADER = "__streams.errors.partition";
    public static final String OFFSET_HEADER = "__streams.errors.offset";

    /**
     * {@code __streams.errors.exception} of a record that broke a rule (then reason): a verdict on
     * data, there is no exception behind it, and its stack trace header is the reason and the
     * detail.
     */
    public static final String REJECTED_PREFIX = "headgeo.rejected.";

    /** Values up to this size are copied whole; Kafka's default max.request.size is 1 MiB. */
    static final int MAX_COPIED_VALUE = 512 * 1024;

    /**
     * What is kept of a larger value: enough to recognise it; the original stays in the input topic
     * at the offset in the headers.
     */
    static final int TRUNCATED_VALUE = 64 * 1024;

    private static final int MAX_DETAIL = 2000;

    /** Where the rejected record came from; null fields when it is not known (a punctuation). */
    record Source(String topic, Integer partition, Long offset, Headers headers) {}

    private final HeadgeoMetrics metrics;

    DeadLetters(HeadgeoMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * The topology's dead letter of a record it rejected, for the dead-letter sink.
     *
     * @param rawKey the key as received ({@link RawKeys})
     * @param cause the exception behind it, or null for a record that breaks a rule
     */
    Record<String, Flow.DeadLetter> of(
            String rawKey,
            byte[] value,
            long timestamp,
            Source source,
            RejectReason reason,
            String detail,
            Throwable cause) {
        metrics.deadLettered(reason);
        byte[] copied = cut(value);
        // A Record made without headers gets its own empty, writable set: the source's are copied
        // into it.
        Record<String, Flow.DeadLetter> dead =
                new Record<>(rawKey, new Flow.DeadLetter(reason, copied), timestamp);
        Headers headers = dead.headers();
        for (Header h : source.headers()) {
            headers.add(h);
        }
        String exception =
                cause != null ? cause.getClass().getName() : REJECTED_PREFIX + reason.name();
        addHeaders(
                headers,
                exception,
                cause != null ? stackTrace(cause) : reason + ": " + detail,
                detail,
                source);
        addHeadgeoHeaders(headers, reason, detail, value, copied);
        return dead;
    }

    /**
     * A dead letter from one of Kafka's exception handlers (a processor's bug), for {@code topic};
     * nothing when no topic is configured.
     */
    ProducerRecord<byte[], byte[]> forHandler(
            String topic,
            byte[] key,
            byte[] value,
            ErrorHandlerContext context,
            RejectReason reason,
            Exception e) {
        metrics.deadLettered(reason);
        byte[] copied = cut(value);
        if (key != null && key.length > TRUNCATED_VALUE) {
            key = Arrays.copyOf(key, TRUNCATED_VALUE);
        }
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(topic, null, context.timestamp(), key, copied);
        for (Header h : context.headers()) {
            record.headers().add(h);
        }
        String detail = e.getMessage() == null ? e.toString() : e.getMessage();
        addHeaders(
                record.headers(),
                e.getClass().getName(),
                stackTrace(e),
                detail,
                new Source(context.topic(), context.partition(), context.offset(), null));
        addHeadgeoHeaders(record.headers(), reason, detail, value, copied);
        return record;
    }

    /** The source of the record a processor is processing now. */
    static Source sourceOf(
            org.apache.kafka.streams.processor.api.ProcessorContext<?, ?> context,
            Record<?, ?> record) {
        return context.recordMetadata()
                .map(m -> new Source(m.topic(), m.partition(), m.offset(), record.headers()))
                .orElse(new Source(null, null, null, record.headers()));
    }

    /** topic-partition@offset of a dead letter's source, for the log line. */
    static String where(Record<String, Flow.DeadLetter> dead) {
        return text(dead.headers().lastHeader(TOPIC_HEADER))
                + "-"
                + text(dead.headers().lastHeader(PARTITION_HEADER))
                + "@"
                + text(dead.headers().lastHeader(OFFSET_HEADER));
    }

    private static String text(Header h) {
        return h == null || h.value() == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] cut(byte[] value) {
        return value != null && value.length > MAX_COPIED_VALUE
                ? Arrays.copyOf(value, TRUNCATED_VALUE)
                : value;
    }

    private static void addHeaders(
            Headers headers, String exception, String stackTrace, String message, Source source) {
        headers.add(EXCEPTION_HEADER, utf8(exception));
        headers.add(STACKTRACE_HEADER, utf8(stackTrace));
        headers.add(MESSAGE_HEADER, utf8(message));
        headers.add(TOPIC_HEADER, source.topic() == null ? null : utf8(source.topic()));
        headers.add(
                PARTITION_HEADER,
                source.partition() == null ? null : utf8(source.partition().toString()));
        headers.add(
                OFFSET_HEADER, source.offset() == null ? null : utf8(source.offset().toString()));
    }

    private static void addHeadgeoHeaders(
            Headers headers, RejectReason reason, String detail, byte[] value, byte[] copied) {
        headers.add(REASON_HEADER, utf8(reason.name()));
        if (detail.length() > MAX_DETAIL) {
            detail = detail.substring(0, MAX_DETAIL) + "…";
        }
        headers.add(DETAIL_HEADER, utf8(detail));
        if (copied != value) {
            headers.add(TRUNCATED_HEADER, utf8(Integer.toString(value.length)));
        }
    }

    private static String stackTrace(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
