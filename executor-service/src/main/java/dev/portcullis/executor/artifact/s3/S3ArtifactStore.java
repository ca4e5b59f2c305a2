package dev.portcullis.executor.artifact.s3;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactDigests;
import dev.portcullis.executor.artifact.ArtifactException;
import dev.portcullis.executor.artifact.ArtifactHandoff;
import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.executor.artifact.ArtifactUrl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Artifacts in an S3 bucket (production): key {@code PREFIX RUN_ID/PATH}, URI
 * {@code s3://BUCKET/KEY}. Each object is uploaded with its SHA-256 as an S3 checksum (S3 refuses
 * bytes that do not match it) and as the metadata entry {@code sha256}; the size S3 reports
 * afterwards is checked. Readers still check the digest of the bytes they get.
 *
 * <p>As an {@link ArtifactHandoff} it presigns, with the executor's own credentials, a write-once
 * {@code PUT} (signed {@code If-None-Match: *}, no checksum: the task learns the digest only after
 * its command ran) or a {@code GET} of one key. A URL signed with temporary credentials (IRSA) stops
 * working when they expire, whatever its own validity. Thread-safe; the store owns the client and
 * the presigner and closes them.
 */
public final class S3ArtifactStore implements ArtifactStore, ArtifactHandoff {
    /** The longest validity SigV4 allows a presigned URL. */
    private static final Duration MAX_VALIDITY = Duration.ofDays(7);
    /** The user metadata entry that carries the artifact's SHA-256 in hex. */
    public static final String SHA256_METADATA = "sha256";
    private static final Logger log = LoggerFactory.getLogger(S3ArtifactStore.class);

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final String prefix;

    /**
     * @param prefix key prefix, empty or ending in {@code /}
     */
    public S3ArtifactStore(S3Client s3, S3Presigner presigner, String bucket, String prefix) {
        this.s3 = requireNonNull(s3, "s3 is null");
        this.presigner = requireNonNull(presigner, "presigner is null");
        this.bucket = requireNonNull(bucket, "bucket is null");
        this.prefix = requireNonNull(prefix, "prefix is null");
        if (bucket.isEmpty() || !(prefix.isEmpty() || prefix.endsWith("/"))) {
            throw new IllegalArgumentException("the bucket must be named and the prefix empty or end in '/'");
        }
    }

    @Override
    public ArtifactRef put(ArtifactLocation location, Path file) {
        String key = prefix + location.key();
        ArtifactDigests.Digested digested;
        try {
            digested = ArtifactDigests.of(file);
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                    "the artifact " + location.key() + " could not be read for upload", e);
        }
        String checksum = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(digested.sha256().value()));
        try {
            s3.putObject(r -> r.bucket(bucket).key(key).contentLength(digested.sizeBytes()).checksumSHA256(checksum)
                    .metadata(Map.of(SHA256_METADATA, digested.sha256().value())), RequestBody.fromFile(file));
            HeadObjectResponse stored = s3.headObject(r -> r.bucket(bucket).key(key));
            if (stored.contentLength() == null || stored.contentLength() != digested.sizeBytes()) {
                throw new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                        "the artifact " + location.key() + " was not stored whole", null);
            }
        } catch (SdkException e) {
            log.atWarn().addKeyValue("bucket", bucket).addKeyValue("key", key).addKeyValue("error_code", code(e))
                    .log("artifact.s3_put_failed");
            throw new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                    "the artifact " + location.key() + " could not be stored", e);
        }
        return new ArtifactRef("s3://" + bucket + "/" + key, digested.sha256(), digested.sizeBytes());
    }

    @Override
    public Optional<ArtifactLocation> locate(String uri) {
        String root = "s3://" + bucket + "/" + prefix;
        if (!uri.startsWith(root)) {
            return Optional.empty();
        }
        return ArtifactLocation.ofKey(uri.substring(root.length()));
    }

    @Override
    public InputStream open(ArtifactLocation location) {
        String key = prefix + location.key();
        try {
            return s3.getObject(r -> r.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            throw new ArtifactException(ArtifactException.Problem.MISSING, "no artifact " + location.key() + " is stored", e);
        } catch (SdkException e) {
            log.atWarn().addKeyValue("bucket", bucket).addKeyValue("key", key).addKeyValue("error_code", code(e))
                    .log("artifact.s3_get_failed");
            throw new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                    "the artifact " + location.key() + " could not be read", e);
        }
    }

    /**
     * Deletes the object's current version by its version id, so that in a versioned bucket (as
     * deployed) its bytes are gone rather than hidden behind a delete marker; in an unversioned
     * bucket, the object. Nothing stored (S3 answers 404, or 403 to a role that may not list the
     * bucket): nothing happens.
     */
    @Override
    public void delete(ArtifactLocation location) {
        String key = prefix + location.key();
        try {
            String version;
            try {
                version = s3.headObject(r -> r.bucket(bucket).key(key)).versionId();
            } catch (NoSuchKeyException e) {
                return;
            }
            s3.deleteObject(r -> r.bucket(bucket).key(key).versionId(version));
        } catch (S3Exception e) {
            if (e.statusCode() == 404 || e.statusCode() == 403) {
                // HEAD's answers have no body, so no NoSuchKey code; and a role without s3:ListBucket
                // (as deployed) gets 403 for a missing key: its s3:GetObject covers every key here
                return;
            }
            throw deleteFailed(location, key, e);
        } catch (SdkException e) {
            throw deleteFailed(location, key, e);
        }
    }

    private ArtifactException deleteFailed(ArtifactLocation location, String key, SdkException e) {
        log.atWarn().addKeyValue("bucket", bucket).addKeyValue("key", key).addKeyValue("error_code", code(e))
                .log("artifact.s3_delete_failed");
        return new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                "the artifact " + location.key() + " could not be deleted", e);
    }

    @Override
    public ArtifactRef inspect(ArtifactLocation location) {
        ArtifactDigests.Digested digested = ArtifactDigests.read(this, location, OutputStream.nullOutputStream());
        return new ArtifactRef("s3://" + bucket + "/" + prefix + location.key(), digested.sha256(), digested.sizeBytes());
    }

    @Override
    public ArtifactUrl uploadUrl(ArtifactLocation location, Duration validFor) {
        String key = prefix + location.key();
        return presigned(location, () -> presigner.presignPutObject(r -> r.signatureDuration(checked(validFor))
                .putObjectRequest(o -> o.bucket(bucket).key(key).ifNoneMatch("*"))).url());
    }

    @Override
    public ArtifactUrl downloadUrl(ArtifactLocation location, Duration validFor) {
        String key = prefix + location.key();
        return presigned(location, () -> presigner.presignGetObject(r -> r.signatureDuration(checked(validFor))
                .getObjectRequest(o -> o.bucket(bucket).key(key))).url());
    }

    private ArtifactUrl presigned(ArtifactLocation location, java.util.function.Supplier<java.net.URL> presign) {
        try {
            return new ArtifactUrl(presign.get().toURI());
        } catch (SdkException | URISyntaxException e) {
            // no credentials to sign with: the message may name the chain's sources, not a secret, but stays in the log
            log.atWarn().addKeyValue("bucket", bucket).addKeyValue("error", e.getClass().getSimpleName())
                    .log("artifact.s3_presign_failed");
            throw new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                    "a URL for the artifact " + location.key() + " could not be signed", e);
        }
    }

    private static Duration checked(Duration validFor) {
        if (validFor.isNegative() || validFor.isZero() || validFor.compareTo(MAX_VALIDITY) > 0) {
            throw new IllegalArgumentException("a presigned URL is valid for more than zero and at most seven days");
        }
        return validFor;
    }

    private static String code(SdkException e) {
        if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null && s3.awsErrorDetails().errorCode() != null) {
            return s3.awsErrorDetails().errorCode();
        }
        return e.getClass().getSimpleName();
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
