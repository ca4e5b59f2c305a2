package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.v1.GatewayServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs hostile cases against a live suite over real mTLS: each case as its own caller (a
 * certificate issued for it) on a channel of its own, its answer checked against what it expects.
 * Not thread-safe; {@link #close} shuts every channel it opened.
 */
final class HostileCaseRunner implements AutoCloseable {
    static final Duration CALL_DEADLINE = Duration.ofSeconds(20);

    private final SuiteEndpoints suite;
    private final CallerCertificates certificates;
    // guarded by confinement to the one thread that runs the corpus
    private final List<ManagedChannel> channels = new ArrayList<>();

    HostileCaseRunner(SuiteEndpoints suite) {
        this.suite = requireNonNull(suite, "suite is null");
        DevPki pki = suite.pki();
        this.certificates = CallerCertificates.of(pki.caFile(), pki.dir().resolve("ca.key"),
                Validity.startingNow(Clock.systemUTC(), Duration.ofHours(2)));
    }

    /** Sends the case's input as its caller and checks the answer; the window is the call alone. */
    TriedCase run(HostileCase hostile) {
        ManagedChannel channel = channel(hostile.caller(), port(hostile.rpc().service()));
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        Instant start = Instant.now();
        Object outcome;
        try {
            outcome = hostile.rpc().call(channel, options, hostile.request());
        } catch (StatusRuntimeException e) {
            outcome = e;
        }
        Instant end = Instant.now();
        return new TriedCase(hostile.name(), start, end, hostile.expected().mismatch(outcome), hostile.audit());
    }

    /** The gateway as {@code caller}, for the calls that set the corpus up. */
    GatewayServiceGrpc.GatewayServiceBlockingStub gateway(CorpusCaller caller) {
        return GatewayServiceGrpc.newBlockingStub(channel(caller, suite.gatewayPort()))
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The audit log as {@code caller}, to find the refusals in. */
    AuditTrail auditTrail(HostileCaller caller) {
        return new AuditTrail(channel(caller, suite.auditPort()));
    }

    private int port(HostileRpc.Service service) {
        return switch (service) {
            case GATEWAY -> suite.gatewayPort();
            case AUDIT -> suite.auditPort();
        };
    }

    private ManagedChannel channel(CorpusCaller caller, int port) {
        ChannelCredentials credentials = caller.credentials(certificates);
        // the dev service certificates name localhost; the suite's host is loopback
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(suite.host(), port, credentials)
                .overrideAuthority("localhost:" + port)
                .maxInboundMessageSize(16 * 1024 * 1024)
                .build();
        channels.add(channel);
        return channel;
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
    }
}
