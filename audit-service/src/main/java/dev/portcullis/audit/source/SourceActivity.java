package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * What one source has delivered so far.
 *
 * @param source the source
 * @param watchedSince when the service first knew the source: its silence counts from here until
 *     the first delivery
 * @param deliveries deliveries accepted
 * @param lastDelivery when the newest accepted delivery arrived; {@link Instant#EPOCH} for never
 * @param refusals deliveries refused
 * @param lastRefusal when the newest refusal happened; {@link Instant#EPOCH} for never
 * @param lastRefusalReason its reason; empty for none
 */
public record SourceActivity(SourceName source, Instant watchedSince, long deliveries, Instant lastDelivery, long refusals,
        Instant lastRefusal, String lastRefusalReason) {
    public SourceActivity {
        requireNonNull(source, "source is null");
        requireNonNull(watchedSince, "watchedSince is null");
        requireNonNull(lastDelivery, "lastDelivery is null");
        requireNonNull(lastRefusal, "lastRefusal is null");
        requireNonNull(lastRefusalReason, "lastRefusalReason is null");
    }

    /** Nothing delivered or refused yet, watched since {@code since}. */
    public static SourceActivity none(SourceName source, Instant since) {
        return new SourceActivity(source, since, 0, Instant.EPOCH, 0, Instant.EPOCH, "");
    }

    /** When the newest accepted delivery arrived, if one did. */
    public Optional<Instant> lastDeliveryTime() {
        return deliveries == 0 ? Optional.empty() : Optional.of(lastDelivery);
    }

    /** When the newest refusal happened, if one did. */
    public Optional<Instant> lastRefusalTime() {
        return refusals == 0 ? Optional.empty() : Optional.of(lastRefusal);
    }

    /** Since when the source's silence counts: its newest delivery, else when it was first watched. */
    public Instant silentSince() {
        return lastDeliveryTime().orElse(watchedSince);
    }
}
