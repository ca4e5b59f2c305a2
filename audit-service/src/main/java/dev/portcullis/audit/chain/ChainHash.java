package dev.portcullis.audit.chain;

import dev.portcullis.runtime.audit.AuditEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hash chain: each stored event's hash is SHA-256 over the previous event's hash, the
 * event's sequence and storage time, and a canonical encoding of the event. The encoding is
 * fixed (version 1): every field in a set order, each string as a 4-byte big-endian length and
 * its UTF-8 bytes, times as 8-byte epoch milliseconds, attributes sorted by key. Changing any
 * byte of any field, or a row's place in the chain, changes every later hash. An auditor can
 * recompute it from an export without the service.
 */
public final class ChainHash {
    /** The previous hash of the first event: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);
    private static final byte[] DOMAIN = "portcullis-audit-event:v1".getBytes(StandardCharsets.UTF_8);

    private ChainHash() {}

    /** The hash of {@code event} stored at {@code sequence} after {@code previousHash}. */
    public static String of(String previousHash, long sequence, Instant storedAt, AuditEvent event) {
        MessageDigest sha = sha256();
        sha.update(DOMAIN);
        sha.update(HexFormat.of().parseHex(previousHash));
        sha.update(canonical(sequence, storedAt, event));
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The canonical bytes of an event at its place in the chain. */
    public static byte[] canonical(long sequence, Instant storedAt, AuditEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        writeLong(out, sequence);
        writeLong(out, storedAt.toEpochMilli());
        writeString(out, event.eventId().toString());
        writeLong(out, event.time().toEpochMilli());
        writeString(out, event.service());
        writeString(out, event.actor());
        writeString(out, event.action().dottedName());
        writeString(out, event.resource().kind());
        writeString(out, event.resource().id());
        writeString(out, event.resource().repo());
        writeString(out, event.resource().runId());
        writeString(out, event.outcome().name());
        writeString(out, event.reason());
        writeString(out, event.traceId());
        writeString(out, event.sourceAddress());
        Map<String, String> sorted = new TreeMap<>(event.attributes());
        writeLong(out, sorted.size());
        sorted.forEach((key, value) -> {
            writeString(out, key);
            writeString(out, value);
        });
        return out.toByteArray();
    }

    private static void writeLong(ByteArrayOutputStream out, long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift));
        }
    }

    private static void writeString(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write(bytes.length >>> shift);
        }
        out.write(bytes, 0, bytes.length);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
