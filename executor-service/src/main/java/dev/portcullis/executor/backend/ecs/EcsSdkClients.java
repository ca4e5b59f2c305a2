package dev.portcullis.executor.backend.ecs;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * Builds the SDK clients the {@link EcsTaskRunner} needs, the same way in production and in
 * tests: the JDK's HTTP client, a deadline on every call, the SDK's own retries off (the runner
 * retries, with one backoff from {@link EcsConfig}), the configured region and, when set, the
 * endpoint override. The caller owns the returned clients and closes them.
 */
public final class EcsSdkClients {
    /** Longest time one HTTP attempt may take, connecting included. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private EcsSdkClients() {}

    /**
     * An ECS client for {@code config}.
     *
     * @param credentials in production the SDK's default chain (the executor's own role); in tests
     *     static test values
     */
    public static EcsClient ecs(EcsConfig config, AwsCredentialsProvider credentials) {
        requireNonNull(config, "config is null");
        requireNonNull(credentials, "credentials is null");
        var builder = EcsClient.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(httpClient())
                .overrideConfiguration(overrides());
        config.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** A CloudWatch Logs client for {@code config}; see {@link #ecs}. */
    public static CloudWatchLogsClient logs(EcsConfig config, AwsCredentialsProvider credentials) {
        requireNonNull(config, "config is null");
        requireNonNull(credentials, "credentials is null");
        var builder = CloudWatchLogsClient.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(httpClient())
                .overrideConfiguration(overrides());
        config.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static UrlConnectionHttpClient.Builder httpClient() {
        return UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT).socketTimeout(ATTEMPT_TIMEOUT);
    }

    private static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.doNotRetry())
                .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                .apiCallTimeout(ATTEMPT_TIMEOUT.plusSeconds(5))
                .build();
    }
}
