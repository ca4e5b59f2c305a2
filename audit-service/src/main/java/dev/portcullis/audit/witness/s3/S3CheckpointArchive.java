package dev.portcullis.audit.witness.s3;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.chain.SignedCheckpoint;
import dev.portcullis.audit.witness.CheckpointArchive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Keeps every checkpoint as one object in an S3 bucket meant for Object Lock: key
 * {@code PREFIX ORIGIN/TREE_SIZE} (the size zero-padded to 20 digits, so keys sort by size), body
 * the signed note, {@code text/plain}, with its SHA-256 checksum (Object Lock buckets require
 * one). A key already written (another replica, or a retry) is left as it is: Ed25519 is
 * deterministic, so it holds the same note. It checks no proof: the publisher reads the newest
 * object back and checks. Thread-safe.
 */
public final class S3CheckpointArchive implements CheckpointArchive, AutoCloseable {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    /**
     * @param s3 the client, with the deadline and retries it should have; closed with this archive
     * @param prefix prepended to every key, empty or ending in {@code /}
     */
    public S3CheckpointArchive(S3Client s3, String bucket, String prefix) {
        this.s3 = requireNonNull(s3, "s3 is null");
        this.bucket = requireNonNull(bucket, "bucket is null");
        this.prefix = requireNonNull(prefix, "prefix is null");
    }

    @Override
    public String name() {
        return "s3:" + bucket;
    }

    /** The key of the checkpoint of {@code size} leaves of the log {@code origin}. */
    public String key(String origin, long size) {
        return prefix + origin + "/" + String.format("%020d", size);
    }

    @Override
    public WitnessAnswer submit(long oldSize, List<byte[]> proof, SignedCheckpoint checkpoint) throws IOException {
        byte[] note = checkpoint.note().getBytes(StandardCharsets.UTF_8);
        try {
            s3.putObject(r -> r.bucket(bucket).key(key(checkpoint.head().origin(), checkpoint.size()))
                    .contentType("text/plain; charset=utf-8").contentLength((long) note.length).checksumSHA256(sha256(note))
                    .ifNoneMatch("*"), RequestBody.fromBytes(note));
        } catch (SdkServiceException e) {
            if (e.statusCode() != 412) {
                throw new IOException("S3 bucket " + bucket + " answered " + e.statusCode());
            }
        } catch (SdkException e) {
            throw new IOException("S3 bucket " + bucket + " cannot be reached: " + e.getClass().getSimpleName());
        }
        return new WitnessAnswer.Cosigned(List.of());
    }

    @Override
    public Optional<String> newest(String origin, long atLeastSize) throws IOException {
        try {
            Optional<String> newest = newestKey(origin, atLeastSize);
            if (newest.isEmpty() && atLeastSize > 0) {
                // nothing from there on: the caller's idea of what is kept was wrong, so look at everything
                newest = newestKey(origin, 0);
            }
            if (newest.isEmpty()) {
                return Optional.empty();
            }
            String key = newest.get();
            return Optional.of(s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asString(StandardCharsets.UTF_8));
        } catch (SdkServiceException e) {
            throw new IOException("S3 bucket " + bucket + " answered " + e.statusCode());
        } catch (SdkException e) {
            throw new IOException("S3 bucket " + bucket + " cannot be reached: " + e.getClass().getSimpleName());
        }
    }

    // keys sort by size: the last one listed is the newest (one request per 1,000 checkpoints)
    private Optional<String> newestKey(String origin, long atLeastSize) {
        String logPrefix = prefix + origin + "/";
        Optional<String> newest = Optional.empty();
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(r -> {
            r.bucket(bucket).prefix(logPrefix);
            if (atLeastSize > 0) {
                r.startAfter(key(origin, atLeastSize - 1));
            }
        })) {
            List<S3Object> contents = page.contents();
            if (!contents.isEmpty()) {
                newest = Optional.of(contents.get(contents.size() - 1).key());
            }
        }
        return newest;
    }

    private static String sha256(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closes the client. */
    @Override
    public void close() {
        s3.close();
    }

    @Override
    public String toString() {
        return "S3CheckpointArchive[" + bucket + "]";
    }
}
