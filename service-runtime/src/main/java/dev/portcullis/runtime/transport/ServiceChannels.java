package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.telemetry.Telemetry;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import java.util.Arrays;
import java.util.List;

/**
 * Opens mTLS channels to the suite's other services with this service's own identity. The
 * server's certificate must name the host in the target (ordinary host-name verification).
 */
public final class ServiceChannels {
    static {
        // once per JVM: grpc finds a target's resolver in its default registry only
        NameResolverRegistry.getDefaultRegistry().register(new AddressListNameResolver.Provider());
    }

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
     * A channel to {@code target}: "host:port", or several separated by commas, the replicas of
     * one service. Over several, calls go round the replicas that are connected
     * ({@code round_robin}), so one that is down is skipped until it is back; every replica's
     * certificate must name the first address's host. Connects lazily; the caller closes it.
     * Calls on it still need their own deadline.
     */
    public ManagedChannel open(String target) {
        requireNonNull(target, "target is null");
        List<String> addresses = Arrays.stream(target.split(",")).map(String::strip).toList();
        if (addresses.size() == 1) {
            return Grpc.newChannelBuilder(addresses.get(0), tls.channelCredentials()).intercept(telemetry).build();
        }
        return Grpc.newChannelBuilder(AddressListNameResolver.target(addresses), tls.channelCredentials())
                .defaultLoadBalancingPolicy("round_robin").intercept(telemetry).build();
    }
}
