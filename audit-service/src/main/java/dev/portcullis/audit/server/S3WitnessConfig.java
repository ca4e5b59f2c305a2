package dev.portcullis.audit.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * The S3 bucket every checkpoint is also kept in (one object each, the bucket meant for Object
 * Lock). Every key is documented in docs/configuration.md; the bucket settings in docs/audit.md.
 * Credentials come from the AWS SDK's default chain (the service's own role), never from here.
 *
 * @param bucket the bucket; empty (the default) keeps no checkpoint in S3
 * @param prefix prepended to every key; empty or ending in {@code /}
 * @param region the bucket's region
 * @param endpoint an S3-compatible endpoint instead of AWS's (path-style requests); empty for AWS
 */
@ConfigurationProperties("portcullis.audit.witnesses.s3")
public record S3WitnessConfig(
        @Nullable String bucket,
        @Bindable(defaultValue = "") String prefix,
        @Bindable(defaultValue = "us-east-1") String region,
        @Nullable String endpoint) {

    private static final String PREFIX = "portcullis.audit.witnesses.s3.";

    public S3WitnessConfig {
        bucket = bucket == null ? "" : bucket.strip();
        prefix = prefix == null ? "" : prefix;
        region = region == null || region.isBlank() ? "us-east-1" : region.strip();
        endpoint = endpoint == null ? "" : endpoint.strip();
        if (!bucket.isEmpty() && !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException(PREFIX + "bucket must be an S3 bucket name (3-63 of a-z, 0-9, '.', '-')");
        }
        if (!prefix.isEmpty() && (!prefix.endsWith("/") || prefix.startsWith("/") || prefix.length() > 256)) {
            throw new IllegalArgumentException(PREFIX + "prefix must be empty or end in '/', not start with one, at most 256 characters");
        }
        if (!region.matches("[a-z0-9-]{1,32}")) {
            throw new IllegalArgumentException(PREFIX + "region must be an AWS region name such as eu-west-1");
        }
        if (!endpoint.isEmpty()) {
            endpointUri(endpoint);
        }
    }

    /** True when a bucket is configured. */
    public boolean enabled() {
        return !bucket.isEmpty();
    }

    /** The endpoint override, when one is set. */
    public Optional<URI> endpointUri() {
        return endpoint.isEmpty() ? Optional.empty() : Optional.of(endpointUri(endpoint));
    }

    private static URI endpointUri(String endpoint) {
        try {
            URI uri = new URI(endpoint);
            if (!uri.isAbsolute() || uri.getHost() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
                throw new IllegalArgumentException(PREFIX + "endpoint must be an absolute http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(PREFIX + "endpoint is not a valid URL");
        }
    }
}
