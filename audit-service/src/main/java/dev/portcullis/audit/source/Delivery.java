package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP request as it arrived at the sources listener, before anything about it is believed.
 * Immutable.
 */
public final class Delivery {
    private final String sourceName;
    private final String method;
    private final Map<String, String> headers;
    private final byte[] body;
    private final boolean oversized;
    private final String remoteAddress;

    /**
     * @param sourceName the NAME of {@code /sources/NAME}, as sent (unchecked)
     * @param method the HTTP method
     * @param headers header names (any case) to their first value
     * @param body the body read, empty when {@code oversized}
     * @param oversized true when the body was longer than allowed and was not read
     * @param remoteAddress the peer's "ip:port"
     */
    public Delivery(String sourceName, String method, Map<String, String> headers, byte[] body, boolean oversized,
            String remoteAddress) {
        this.sourceName = requireNonNull(sourceName, "sourceName is null");
        this.method = requireNonNull(method, "method is null");
        Map<String, String> lower = new TreeMap<>();
        headers.forEach((name, value) -> lower.putIfAbsent(name.toLowerCase(Locale.ROOT), value));
        this.headers = java.util.Collections.unmodifiableMap(lower);
        this.body = requireNonNull(body, "body is null").clone();
        this.oversized = oversized;
        this.remoteAddress = requireNonNull(remoteAddress, "remoteAddress is null");
    }

    public String sourceName() {
        return sourceName;
    }

    public String method() {
        return method;
    }

    /** The first value of header {@code name} (any case). */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The raw body bytes (a copy). */
    public byte[] body() {
        return body.clone();
    }

    int bodyLength() {
        return body.length;
    }

    byte[] bodyUnsafe() {
        return body;
    }

    public boolean oversized() {
        return oversized;
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        // never the body or the signature headers
        return "Delivery[" + method + " /sources/" + sourceName + ", " + body.length + " bytes from " + remoteAddress + "]";
    }
}
