package dev.portcullis.executor.artifact;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where plan artifacts are kept: a local directory (the default, for development) or an S3
 * bucket (production). Every key is documented in docs/configuration.md.
 *
 * @param dir the local directory; unset means {@code WORK_DIR/artifacts}. Not with {@code s3-bucket}
 * @param s3Bucket the S3 bucket; set to keep artifacts in S3
 * @param s3Prefix key prefix inside the bucket, empty or ending in {@code /}; an artifact's key is
 *     {@code PREFIX RUN_ID/PATH}
 * @param s3Region the bucket's AWS region; required with {@code s3-bucket}
 * @param s3EndpointOverride empty for AWS's endpoint; otherwise an {@code http(s)://} endpoint
 *     addressed path-style (tests, S3-compatible stores)
 */
@ConfigurationProperties("portcullis.executor.artifacts")
public record ArtifactsConfig(
        @Nullable Path dir,
        @Nullable String s3Bucket,
        @Bindable(defaultValue = "portcullis/artifacts/") String s3Prefix,
        @Nullable String s3Region,
        @Nullable String s3EndpointOverride) {

    private static final String PREFIX = "portcullis.executor.artifacts.";
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern KEY_PREFIX = Pattern.compile("([A-Za-z0-9._-]+/){0,16}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");

    public ArtifactsConfig {
        s3Bucket = blankToEmpty(s3Bucket);
        s3Prefix = s3Prefix == null ? "" : s3Prefix.strip();
        s3Region = blankToEmpty(s3Region);
        s3EndpointOverride = blankToEmpty(s3EndpointOverride);
        if (s3Bucket.isEmpty()) {
            if (!s3Region.isEmpty() || !s3EndpointOverride.isEmpty()) {
                throw new IllegalArgumentException(PREFIX + (s3Region.isEmpty() ? "s3-endpoint-override" : "s3-region")
                        + " is set but " + PREFIX + "s3-bucket is not: set the bucket too, or remove it");
            }
        } else {
            if (dir != null) {
                throw new IllegalArgumentException("set either " + PREFIX + "dir or " + PREFIX + "s3-bucket, not both");
            }
            if (!BUCKET.matcher(s3Bucket).matches() || s3Bucket.contains("..")) {
                throw new IllegalArgumentException(PREFIX + "s3-bucket must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-')");
            }
            if (!REGION.matcher(s3Region).matches()) {
                throw new IllegalArgumentException(PREFIX + "s3-region is required with " + PREFIX
                        + "s3-bucket: an AWS region name such as eu-central-1");
            }
            if (!s3EndpointOverride.isEmpty()) {
                endpointOf(s3EndpointOverride);
            }
        }
        if (s3Prefix.length() > 512 || !KEY_PREFIX.matcher(s3Prefix).matches()) {
            throw new IllegalArgumentException(PREFIX + "s3-prefix must be empty or segments of letters, digits, '.', '_', '-' "
                    + "each ending in '/', e.g. portcullis/artifacts/");
        }
    }

    /** True when artifacts go to S3. */
    public boolean usesS3() {
        return !s3Bucket.isEmpty();
    }

    /** The local directory, when set. */
    public Optional<Path> directory() {
        return Optional.ofNullable(dir);
    }

    /** The S3 endpoint override, parsed; empty for AWS's own endpoint. */
    public Optional<URI> s3Endpoint() {
        return s3EndpointOverride.isEmpty() ? Optional.empty() : Optional.of(endpointOf(s3EndpointOverride));
    }

    private static String blankToEmpty(String value) {
        return value == null ? "" : value.strip();
    }

    private static URI endpointOf(String text) {
        try {
            URI uri = new URI(text);
            boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            if (http && uri.getHost() != null && uri.getRawUserInfo() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, without the value
        }
        throw new IllegalArgumentException(PREFIX + "s3-endpoint-override must be an http(s):// URL with a host and no user info");
    }
}
