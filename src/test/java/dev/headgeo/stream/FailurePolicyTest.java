package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/**
 * A permission lost while running stops the processor at once; any other failure replaces a thread
 * a bounded number of times.
 */
class FailurePolicyTest {
    @Test
    void aMissingPermissionOrFailedAuthenticationIsFatalWithOneLine() {
        FailurePolicy policy = new FailurePolicy();
        StreamThreadExceptionResponse r =
                policy.handle(
                        new StreamsException(
                                "task failed",
                                new TopicAuthorizationException(Set.of("headgeo.reports"))));

        assertThat(r).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(policy.fatalCause())
                .startsWith("not authorized: ")
                .contains("headgeo.reports")
                .doesNotContain("\n");
        assertThat(
                        FailurePolicy.fatalCauseOf(
                                new GroupAuthorizationException(
                                        "Not authorized to access group: g")))
                .contains("group: g");
        assertThat(
                        FailurePolicy.fatalCauseOf(
                                new StreamsException(
                                        new SaslAuthenticationException("bad password"))))
                .isEqualTo("authentication failed: bad password");
    }

    @Test
    void otherFailuresReplaceTheThreadThreeTimesThenStop() {
        FailurePolicy policy = new FailurePolicy();
        for (int i = 0; i < FailurePolicy.MAX_REPLACEMENTS; i++) {
            assertThat(policy.handle(new IllegalStateException("boom " + i)))
                    .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            assertThat(policy.fatalCause()).isNull();
        }
        assertThat(policy.handle(new IllegalStateException("boom again")))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(policy.fatalCause())
                .isEqualTo(
                        "a stream thread failed 4 times within 10 minutes, last:"
                                + " IllegalStateException: boom again");
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        AtomicLong now = new AtomicLong(0);
        FailurePolicy policy = new FailurePolicy(now::get);
        for (int i = 0; i < FailurePolicy.MAX_REPLACEMENTS; i++) {
            assertThat(policy.handle(new IllegalStateException("boom " + i)))
                    .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            now.addAndGet(Duration.ofMinutes(1).toNanos());
        }
        // 10 minutes and a nanosecond after the first failure: it has left the window, two remain
        // in it
        now.set(FailurePolicy.WINDOW.toNanos() + 1);
        assertThat(policy.handle(new IllegalStateException("later")))
                .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(policy.fatalCause()).isNull();
        // the fourth within ten minutes of the second stops it
        assertThat(policy.handle(new IllegalStateException("again")))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(policy.fatalCause()).endsWith("last: IllegalStateException: again");
    }

    @Test
    void aConfigurationTheClusterRefusesIsFatal() {
        assertThat(
                        FailurePolicy.fatalCauseOf(
                                new StreamsException(
                                        new org.apache.kafka.common.config.ConfigException(
                                                "bad value"))))
                .isEqualTo("the cluster refuses the configuration: bad value");
        assertThat(FailurePolicy.fatalCauseOf(new IllegalStateException("not fatal"))).isNull();
        assertThat(
                        FailurePolicy.oneLine(
                                new StreamsException(
                                        "outer", new IllegalStateException("first line\nsecond"))))
                .isEqualTo("IllegalStateException: first line");
    }
}
