package dev.portcullis.gateway.drift;

/** What the last finished check of a drift target found. */
public enum DriftState {
    /** Never checked to the end yet. */
    UNKNOWN("unknown"),
    /** The last check planned no changes and found no drift. */
    IN_SYNC("in_sync"),
    /** The last check planned changes or found resources changed outside Portcullis. */
    DRIFTED("drifted"),
    /** The last check could not be submitted, was denied, or did not succeed. */
    FAILING("failing");

    private final String label;

    DriftState(String label) {
        this.label = label;
    }

    /** The state as stored, shown and measured: {@code in_sync}, {@code drifted}, {@code failing}, {@code unknown}. */
    public String label() {
        return label;
    }

    /** The state whose {@link #label} is {@code label}. */
    public static DriftState ofLabel(String label) {
        for (DriftState state : values()) {
            if (state.label.equals(label)) {
                return state;
            }
        }
        throw new IllegalArgumentException("no drift state '" + label + "'");
    }
}
