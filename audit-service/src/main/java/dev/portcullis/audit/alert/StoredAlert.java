package dev.portcullis.audit.alert;

import static java.util.Objects.requireNonNull;

/**
 * A stored alert: its place in the store and the alert.
 *
 * @param sequence dense, starting at 1, in the order alerts were stored (across replicas)
 * @param alert the alert
 */
public record StoredAlert(long sequence, Alert alert) {
    public StoredAlert {
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be at least 1");
        }
        requireNonNull(alert, "alert is null");
    }
}
