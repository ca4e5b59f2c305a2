package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.telemetry.Telemetry;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;

/**
 * Opens mTLS channels to the suite's other services with this service's own identity. The
 * server's certificate must name the host in the target (ordinary host-name verification).
 */
public final class ServiceChannels {
    private final TlsMaterial tls;
    private final ClientInterceptor telemetry;

    public ServiceChannels(TlsMaterial tls) {
        this(tls, Telemetry.disabled("client"));
    }

    /** Channels whose calls carry the current trace context and record client spans. */
    public ServiceChannels(TlsMaterial tls, Telemetry telemetry) {
        this.tls = requireNonNull(tls, "tls is null");
        this.telemetry = requireNonNull(telemetry, "telemetry is null").clientInterceptor();
    }

    /**
     * A channel to {@code target} ("host:port"). Connects lazily; the caller closes it.
     * Calls on it still need their own deadline.
     */
    public ManagedChannel open(String target) {
        requireNonNull(target, "target is null");
        return Grpc.newChannelBuilder(target, tls.channelCredentials()).intercept(telemetry).build();
    }
}
