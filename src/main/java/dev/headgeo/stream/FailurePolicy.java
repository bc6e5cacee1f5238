package dev.headgeo.stream;

import dev.headgeo.wire.AvroCodec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stream thread's failure does: a fatal cause (a missing permission, failed authentication,
 * a configuration the brokers refuse) stops the processor at once with one line naming it, so that
 * an orchestrator restarts it and an operator sees why; any other failure replaces the thread, at
 * most {@link #MAX_REPLACEMENTS} times within {@link #WINDOW}, after which the processor stops as
 * well instead of looping.
 */
final class FailurePolicy implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(FailurePolicy.class);
    static final int MAX_REPLACEMENTS = 3;
    static final Duration WINDOW = Duration.ofMinutes(10);

    private final Deque<Long> replacements = new ArrayDeque<>();
    private final LongSupplier nanoTime;
    private volatile String fatal;

    FailurePolicy() {
        this(System::nanoTime);
    }

    /** With another clock (tests move it across the window). */
    FailurePolicy(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Why the processor stopped itself, one line; null while it has not. */
    String fatalCause() {
        return fatal;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable e) {
        String cause = fatalCauseOf(e);
        if (cause != null) {
            fatal = cause;
            LOG.error("stopping: {}", cause);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = nanoTime.getAsLong();
        while (!replacements.isEmpty() && now - replacements.peekFirst() > WINDOW.toNanos()) {
            replacements.removeFirst();
        }
        if (replacements.size() >= MAX_REPLACEMENTS) {
            fatal =
                    "a stream thread failed "
                            + (MAX_REPLACEMENTS + 1)
                            + " times within "
                            + WINDOW.toMinutes()
                            + " minutes, last: "
                            + oneLine(e);
            LOG.error("stopping: {}", fatal, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        LOG.error(
                "a stream thread failed ({}); replacing it ({} of {} replacements within {}"
                        + " minutes)",
                oneLine(e),
                replacements.size(),
                MAX_REPLACEMENTS,
                WINDOW.toMinutes(),
                e);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** One line for a cause that no retry can cure, or null. */
    static String fatalCauseOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthorizationException) {
                return "not authorized: "
                        + t.getMessage()
                        + " (grant the ACL, see the README's Failure modes)";
            }
            if (t instanceof AuthenticationException) {
                return "authentication failed: " + t.getMessage();
            }
            if (t instanceof ConfigException
                    || t instanceof SecurityDisabledException
                    || t instanceof UnsupportedVersionException) {
                return "the cluster refuses the configuration: " + t.getMessage();
            }
            if (t instanceof AvroCodec.UnknownVersionException) {
                return newerState(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /**
     * The line for state this release cannot read: a newer release wrote it (an upgrade rolled
     * back, or not yet rolled out).
     */
    static String newerState(Throwable t) {
        return "the state holds records of a newer headgeo release ("
                + t.getMessage()
                + "): run that release or a later one "
                + "on this application id; records are not dead-lettered for it";
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message =
                root.getMessage() == null
                        ? root.getClass().getSimpleName()
                        : root.getClass().getSimpleName() + ": " + root.getMessage();
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
