package dev.portcullis.runtime.outbox;

import dev.portcullis.runtime.config.DurationRange;
import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The audit outbox of a service: where events wait for the audit service, how much may wait,
 * and how delivery is retried. Every key is documented in docs/configuration.md.
 *
 * <p>A service with a database keeps its outbox in a table of that database instead of a spool
 * ({@link dev.portcullis.runtime.outbox.jdbc.JdbcAuditOutbox}); it needs no {@code spool-dir}, and
 * {@code max-spool-bytes} then bounds the event bytes in the table.
 *
 * @param spoolDir directory of the spool files; required by the disk spool ({@link #requiredSpoolDir}),
 *     one per outbox (it is locked while in use)
 * @param maxSpoolBytes unacknowledged bytes the spool (or the outbox table) may hold before {@code record}
 *     refuses events and the outbox reports itself unhealthy; accepts {@code 64MB}, {@code 512KB} or plain bytes
 * @param batchSize most events per {@code Append} call, 1 to 500
 * @param initialBackoff wait after the first failed delivery; it doubles with each further failure
 * @param maxBackoff longest wait between delivery attempts
 * @param shutdownFlushTimeout how long {@code close} gives the last delivery attempt
 * @param pollInterval how often the database outbox looks for events that other replicas committed or
 *     left behind (events this replica records are shipped at once)
 */
@ConfigurationProperties("portcullis.audit-outbox")
public record OutboxConfig(
        @Nullable Path spoolDir,
        @ReadableBytes @Bindable(defaultValue = "64MB") @Min(MIN_SPOOL_BYTES) long maxSpoolBytes,
        @Bindable(defaultValue = "500") @Min(1) @Max(GrpcAuditShipper.MAX_BATCH) int batchSize,
        @Bindable(defaultValue = "200ms") @PositiveDuration Duration initialBackoff,
        @Bindable(defaultValue = "30s") Duration maxBackoff,
        @Bindable(defaultValue = "5s") @DurationRange(min = "0s") Duration shutdownFlushTimeout,
        @Bindable(defaultValue = "1s") @PositiveDuration Duration pollInterval) {
    /** The smallest spool accepted: room for a few hundred typical events. */
    public static final long MIN_SPOOL_BYTES = 64 * 1024;

    public OutboxConfig {
        if (maxBackoff == null || initialBackoff != null && maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("portcullis.audit-outbox.max-backoff must not be shorter than "
                    + "portcullis.audit-outbox.initial-backoff");
        }
    }

    /**
     * The spool directory, which the disk spool cannot do without.
     *
     * @throws IllegalArgumentException naming the property when it is not set
     */
    public Path requiredSpoolDir() {
        if (spoolDir == null) {
            throw new IllegalArgumentException(
                    "portcullis.audit-outbox.spool-dir is required: the directory where audit events wait for delivery");
        }
        return spoolDir;
    }
}
