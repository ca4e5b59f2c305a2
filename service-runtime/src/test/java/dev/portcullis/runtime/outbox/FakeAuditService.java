package dev.portcullis.runtime.outbox;

import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AppendResponse;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real AuditService on an in-process gRPC server that stores each event id once, as the audit
 * service does, remembers everything it was sent, and can be told to answer UNAVAILABLE or not
 * to answer at all.
 */
final class FakeAuditService extends AuditServiceGrpc.AuditServiceImplBase implements AutoCloseable {
    private final Server server;
    private final ManagedChannel channel;
    private final Object monitor = new Object();
    // guarded by monitor
    private final List<AuditEvent> received = new ArrayList<>();
    private final Map<String, AuditEvent> stored = new LinkedHashMap<>();
    private final List<AppendResponse> responses = new ArrayList<>();
    private int unavailableCalls;
    private boolean silent;

    FakeAuditService() throws IOException {
        String name = InProcessServerBuilder.generateName();
        this.server = InProcessServerBuilder.forName(name).addService(this).build().start();
        this.channel = InProcessChannelBuilder.forName(name).build();
    }

    ManagedChannel channel() {
        return channel;
    }

    /** The next {@code calls} calls fail with UNAVAILABLE and store nothing. */
    void unavailableFor(int calls) {
        synchronized (monitor) {
            unavailableCalls = calls;
        }
    }

    /** Calls are accepted but never answered (until the caller's deadline). */
    void silent(boolean silent) {
        synchronized (monitor) {
            this.silent = silent;
        }
    }

    @Override
    public void append(AppendRequest request, StreamObserver<AppendResponse> response) {
        AppendResponse reply;
        synchronized (monitor) {
            if (unavailableCalls > 0) {
                unavailableCalls--;
                response.onError(Status.UNAVAILABLE.withDescription("store unavailable").asRuntimeException());
                return;
            }
            if (silent) {
                return;
            }
            int newlyStored = 0;
            int duplicates = 0;
            for (AuditEvent event : request.getEventsList()) {
                received.add(event);
                if (stored.putIfAbsent(event.getEventId(), event) == null) {
                    newlyStored++;
                } else {
                    duplicates++;
                }
            }
            reply = AppendResponse.newBuilder().setStored(newlyStored).setDuplicates(duplicates).build();
            responses.add(reply);
            monitor.notifyAll();
        }
        response.onNext(reply);
        response.onCompleted();
    }

    /** Every event of every answered call, in arrival order, duplicates included. */
    List<AuditEvent> received() {
        synchronized (monitor) {
            return List.copyOf(received);
        }
    }

    /** Each event id once, in the order first stored. */
    List<AuditEvent> stored() {
        synchronized (monitor) {
            return List.copyOf(stored.values());
        }
    }

    List<AppendResponse> responses() {
        synchronized (monitor) {
            return List.copyOf(responses);
        }
    }

    /** Waits until {@code count} events were received (duplicates included). */
    void awaitReceived(int count, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        synchronized (monitor) {
            while (received.size() < count) {
                long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMillis <= 0) {
                    throw new AssertionError("received " + received.size() + " of " + count + " events");
                }
                monitor.wait(remainingMillis);
            }
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
