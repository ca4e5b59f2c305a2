package dev.portcullis.executor.artifact.s3;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactsConfig;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the S3 client of the {@link S3ArtifactStore}, the same way in production and in tests:
 * the JDK's HTTP client, a deadline per call, the configured region, and with an endpoint
 * override path-style addressing. Checksums are sent when an operation needs one (the store
 * always sends the artifact's SHA-256 itself). The caller owns and closes the client.
 */
public final class S3Clients {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMinutes(2);

    private S3Clients() {}

    /**
     * @param credentials in production the SDK's default chain (the executor's own role)
     * @throws IllegalArgumentException when {@code config} does not name a bucket
     */
    public static S3Client of(ArtifactsConfig config, AwsCredentialsProvider credentials) {
        requireNonNull(config, "config is null");
        requireNonNull(credentials, "credentials is null");
        if (!config.usesS3()) {
            throw new IllegalArgumentException("portcullis.executor.artifacts.s3-bucket is not set");
        }
        var builder = S3Client.builder()
                .region(Region.of(config.s3Region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(ATTEMPT_TIMEOUT))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(ATTEMPT_TIMEOUT).apiCallTimeout(ATTEMPT_TIMEOUT.multipliedBy(3)));
        config.s3Endpoint().ifPresent(endpoint -> builder.endpointOverride(endpoint).forcePathStyle(true));
        return builder.build();
    }

    /**
     * The presigner of the {@link S3ArtifactStore}'s hand-off URLs, for the same bucket, region,
     * credentials and endpoint as {@link #of}. The caller owns and closes it.
     *
     * @throws IllegalArgumentException when {@code config} does not name a bucket
     */
    public static S3Presigner presigner(ArtifactsConfig config, AwsCredentialsProvider credentials) {
        requireNonNull(config, "config is null");
        requireNonNull(credentials, "credentials is null");
        if (!config.usesS3()) {
            throw new IllegalArgumentException("portcullis.executor.artifacts.s3-bucket is not set");
        }
        var builder = S3Presigner.builder()
                .region(Region.of(config.s3Region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.s3Endpoint().isPresent()).build());
        config.s3Endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** The store for {@code config}, with its own client and presigner (closed with it). */
    public static S3ArtifactStore store(ArtifactsConfig config, AwsCredentialsProvider credentials) {
        S3Client client = of(config, credentials);
        try {
            return new S3ArtifactStore(client, presigner(config, credentials), config.s3Bucket(), config.s3Prefix());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }
}
