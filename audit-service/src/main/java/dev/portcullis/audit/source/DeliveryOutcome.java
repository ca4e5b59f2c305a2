package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

/**
 * The answer to a delivery.
 *
 * @param verdict what became of it
 * @param stored events stored from it (0 unless accepted)
 */
public record DeliveryOutcome(Verdict verdict, int stored) {
    public DeliveryOutcome {
        requireNonNull(verdict, "verdict is null");
    }
}
