package dev.portcullis.audit.source;

/**
 * What became of a delivery. Every verdict but {@link #ACCEPTED} and {@link #UNAVAILABLE} is a
 * refusal, recorded as {@code source.delivery_refused} with the verdict's name as reason; nothing
 * of a refused delivery is stored.
 */
public enum Verdict {
    /** Verified, mapped and stored in the chain. */
    ACCEPTED,
    /** No source of that name is configured. */
    UNKNOWN_SOURCE,
    /** Anything but POST. */
    METHOD_NOT_ALLOWED,
    /** Longer than {@code portcullis.audit.sources.max-body-bytes}. */
    BODY_TOO_LARGE,
    /** Not {@code application/json}. */
    UNSUPPORTED_MEDIA_TYPE,
    /** No signature (or token) header. */
    SIGNATURE_MISSING,
    /** A signature (or token) that does not match the source's secret. */
    SIGNATURE_INVALID,
    /** Signed, but without a usable delivery id, so a replay could not be told apart. */
    DELIVERY_ID_MISSING,
    /** Signed, but not JSON of the expected shape. */
    MALFORMED,
    /** A delivery id this source has delivered before. */
    REPLAYED,
    /** A generic delivery whose signed time lies outside the replay window. */
    TOO_OLD,
    /** The store could not be reached; nothing was stored, the sender should retry. */
    UNAVAILABLE
}
