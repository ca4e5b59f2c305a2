package dev.portcullis.gateway.server;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.transport.ServiceChannels;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's mTLS channels to the policy, executor and audit services, opened with the
 * gateway's own identity. Channels connect lazily and reconnect by themselves; closed with the
 * context.
 */
public final class Neighbours implements AutoCloseable {
    private final ManagedChannel policy;
    private final ManagedChannel executor;
    private final ManagedChannel audit;
    private final Duration callTimeout;

    Neighbours(GatewayConfig config, ServiceChannels channels) {
        requireNonNull(config, "config is null");
        requireNonNull(channels, "channels is null");
        this.policy = channels.open(config.policyAddress());
        this.executor = channels.open(config.executorAddress());
        this.audit = channels.open(config.auditAddress());
        this.callTimeout = config.callTimeout();
    }

    /** Channel to the policy service. */
    public ManagedChannel policy() {
        return policy;
    }

    /** Channel to the executor service. */
    public ManagedChannel executor() {
        return executor;
    }

    /** Channel to the audit service. */
    public ManagedChannel audit() {
        return audit;
    }

    /** Deadline to set on every call to a neighbour. */
    public Duration callTimeout() {
        return callTimeout;
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel channel : List.of(policy, executor, audit)) {
            channel.shutdown();
        }
        for (ManagedChannel channel : List.of(policy, executor, audit)) {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        }
    }
}
