package dev.portcullis.runtime.health;

import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;

/**
 * Port: one thing a service needs before it can do its work (its database, its audit delivery,
 * its catalog, its task backend). {@link ReadinessPoller} runs every check of a service on an
 * interval and reports the service NOT_SERVING while any is not ready.
 */
public interface ReadinessCheck {

    /** Short stable name for logs, e.g. {@code database}; lower case, digits and '-'. */
    String name();

    /**
     * Looks now. May block (a database round trip, an HTTP call): the poller bounds it with its
     * own timeout and counts an answer that comes too late, or an exception, as not ready.
     * Implementations should still bound their own I/O, so that a hung call frees its thread.
     * Must be thread-safe.
     */
    Readiness check();

    /** A check named {@code name} that asks {@code probe}. */
    static ReadinessCheck of(String name, Supplier<Readiness> probe) {
        requireNonNull(name, "name is null");
        requireNonNull(probe, "probe is null");
        if (!name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
            throw new IllegalArgumentException("a readiness check's name is 1-40 of a-z, 0-9, '-'");
        }
        return new ReadinessCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Readiness check() {
                return probe.get();
            }

            @Override
            public String toString() {
                return "ReadinessCheck[" + name + "]";
            }
        };
    }
}
