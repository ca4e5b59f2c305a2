package dev.portcullis.runtime.testing;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@code grpc.health.v1.Health/Watch} stream over mTLS, as a load balancer would hold it: every
 * status the server sends is kept, and the test waits for the one it expects. Thread-safe.
 */
public final class HealthWatch implements AutoCloseable {
    private static final Object ENDED = new Object();

    private final ManagedChannel channel;
    private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final List<ServingStatus> seen = new ArrayList<>(); // read and written by the awaiting test thread only

    private HealthWatch(ManagedChannel channel, String service) {
        this.channel = channel;
        HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService(service).build(), new StreamObserver<>() {
            @Override
            public void onNext(HealthCheckResponse response) {
                received.add(response.getStatus());
            }

            @Override
            public void onError(Throwable t) {
                received.add(ENDED);
            }

            @Override
            public void onCompleted() {
                received.add(ENDED);
            }
        });
    }

    /** Watches {@code service} ({@code ""} for the whole server) of the fixture's service, as {@code identity}. */
    public static HealthWatch of(ServiceFixture fixture, TestIdentity identity, String service) {
        return new HealthWatch(TestChannels.mtls(fixture.port(), fixture.credential(identity)), service);
    }

    /** Watches {@code service} of the server on loopback {@code port}, presenting {@code credential} and trusting its CA. */
    public static HealthWatch of(int port, TestPki.Credential credential, String service) {
        return new HealthWatch(TestChannels.mtls(port, credential), service);
    }

    /**
     * Waits until the server reports {@code expected}, at most {@code timeout}.
     *
     * @throws AssertionError naming every status seen, when it does not come or the stream ends
     */
    public void await(ServingStatus expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object next = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null || next == ENDED) {
                throw new AssertionError("health never reported " + expected + " within " + timeout + " (saw " + seen
                        + (next == ENDED ? ", then the stream ended)" : ")"));
            }
            seen.add((ServingStatus) next);
            if (next == expected) {
                return;
            }
        }
    }

    /** Every status seen by {@link #await} so far, in order. */
    public List<ServingStatus> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
