package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;

/**
 * Opens mTLS channels to the suite's other services with this service's own identity. The
 * server's certificate must name the host in the target (ordinary host-name verification).
 */
public final class ServiceChannels {
    private final TlsMaterial tls;

    public ServiceChannels(TlsMaterial tls) {
        this.tls = requireNonNull(tls, "tls is null");
    }

    /**
     * A channel to {@code target} ("host:port"). Connects lazily; the caller closes it.
     * Calls on it still need their own deadline.
     */
    public ManagedChannel open(String target) {
        requireNonNull(target, "target is null");
        return Grpc.newChannelBuilder(target, tls.channelCredentials()).build();
    }
}
