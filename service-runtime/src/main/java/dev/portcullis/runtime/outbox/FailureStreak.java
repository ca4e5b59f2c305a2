package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.slf4j.Logger;

/**
 * The failed delivery attempts in a row of one outbox's shipping thread: how long to back off
 * after each ({@code initial-backoff} doubling up to {@code max-backoff}, with jitter), and the
 * {@code outbox.delivery_failed} and {@code outbox.delivery_resumed} log lines every outbox writes
 * alike. Not thread-safe: it belongs to the one thread that ships.
 */
public final class FailureStreak {
    private final Logger log;
    private final Clock clock;
    private final Backoff backoff;
    private int failures;
    private Instant failingSince;

    /** @param log the outbox's logger: operators filter on its name */
    public FailureStreak(Logger log, OutboxConfig config, Clock clock) {
        this.log = requireNonNull(log, "log is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.backoff = Backoff.exponential(config.initialBackoff(), config.maxBackoff()).withJitter(new SplittableRandom());
        this.failingSince = clock.instant();
    }

    /**
     * Notes a failed attempt and logs it with {@code backlog}.
     *
     * @return how long to wait before the next attempt
     */
    public Duration failed(Exception failure, long backlog) {
        if (failures == 0) {
            failingSince = clock.instant();
        }
        failures++;
        Duration delay = backoff.delay(failures);
        log.atWarn().addKeyValue("attempt", failures).addKeyValue("backoff_ms", delay.toMillis())
                .addKeyValue("backlog", backlog).addKeyValue("failure", failure.toString()).log("outbox.delivery_failed");
        return delay;
    }

    /** Notes a delivery the audit service acknowledged; ends a streak of failures, if any, with a log line. */
    public void succeeded() {
        if (failures > 0) {
            log.atInfo().addKeyValue("failed_attempts", failures)
                    .addKeyValue("failing_for_ms", Duration.between(failingSince, clock.instant()).toMillis())
                    .log("outbox.delivery_resumed");
            failures = 0;
        }
    }
}
