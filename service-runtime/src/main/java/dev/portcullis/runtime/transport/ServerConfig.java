package dev.portcullis.runtime.transport;

import dev.portcullis.runtime.config.DurationRange;
import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Creator;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * Where and how a service serves gRPC. The port has no default: each service is told its own.
 * Every key is documented in docs/configuration.md.
 *
 * @param host address to bind; loopback by default, set {@code 0.0.0.0} in a container
 * @param port TCP port; 0 picks a free one (tests)
 * @param maxInboundMessageBytes largest request message accepted; larger ones are refused with
 *     RESOURCE_EXHAUSTED before they are parsed
 * @param handshakeTimeout how long a connection may take to complete its TLS handshake
 * @param shutdownGrace how long live calls may take to finish on shutdown
 * @param healthPort {@code -1} (the default) for none; otherwise a second, <em>plaintext</em>
 *     TCP port on the same host that serves only {@code grpc.health.v1.Health/Check}, for probes
 *     that cannot speak mTLS (Kubernetes' native {@code grpc:} probe); 0 picks a free one (tests).
 *     It carries no identity, no other service and no reflection: the one thing it reveals is
 *     whether the service is serving.
 * @param anonymousRefusalsPerSecond how many refusals a second that anyone able to open a
 *     connection can provoke (refused TLS handshakes, calls without credentials) are audited one by
 *     one; the rest are counted in the next recorded one's {@code suppressed}, so a flood can
 *     neither fill the audit outbox nor go unseen (default 20)
 */
@ConfigurationProperties("portcullis.server")
public record ServerConfig(
        @Bindable(defaultValue = "127.0.0.1") String host,
        @Nullable @Min(0) @Max(65535) Integer port,
        @Bindable(defaultValue = "4194304") @Min(1024) @Max(64 * 1024 * 1024) int maxInboundMessageBytes,
        @Bindable(defaultValue = "10s") @PositiveDuration Duration handshakeTimeout,
        @Bindable(defaultValue = "10s") @DurationRange(min = "0s") Duration shutdownGrace,
        @Bindable(defaultValue = "-1") @Min(NO_HEALTH_PORT) @Max(65535) int healthPort,
        @Bindable(defaultValue = "20") @Min(1) @Max(100_000) int anonymousRefusalsPerSecond) {

    /** No plaintext health port: the value of {@code health-port} that switches it off. */
    public static final int NO_HEALTH_PORT = -1;

    @Creator // the canonical constructor, not the one without a health port
    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("portcullis.server.host must name an address to bind, e.g. 127.0.0.1");
        }
        if (port == null) {
            throw new IllegalArgumentException("portcullis.server.port is required: the TCP port this service listens on");
        }
        if (anonymousRefusalsPerSecond < 1) {
            throw new IllegalArgumentException("portcullis.server.anonymous-refusals-per-second must be at least 1");
        }
        if (healthPort > 0 && healthPort == port) {
            throw new IllegalArgumentException(
                    "portcullis.server.health-port must differ from portcullis.server.port: the service port is mTLS only");
        }
    }

    /** What each server audits of refusals anyone can provoke, unless configured otherwise. */
    public static final int DEFAULT_ANONYMOUS_REFUSALS_PER_SECOND = 20;

    /** The configuration without a plaintext health port. */
    public ServerConfig(String host, Integer port, int maxInboundMessageBytes, Duration handshakeTimeout,
            Duration shutdownGrace) {
        this(host, port, maxInboundMessageBytes, handshakeTimeout, shutdownGrace, NO_HEALTH_PORT);
    }

    /** The configuration with the default refusal budget. */
    public ServerConfig(String host, Integer port, int maxInboundMessageBytes, Duration handshakeTimeout,
            Duration shutdownGrace, int healthPort) {
        this(host, port, maxInboundMessageBytes, handshakeTimeout, shutdownGrace, healthPort,
                DEFAULT_ANONYMOUS_REFUSALS_PER_SECOND);
    }

    /** The plaintext health-only port to bind, when one is configured. */
    public OptionalInt healthProbePort() {
        return healthPort == NO_HEALTH_PORT ? OptionalInt.empty() : OptionalInt.of(healthPort);
    }
}
