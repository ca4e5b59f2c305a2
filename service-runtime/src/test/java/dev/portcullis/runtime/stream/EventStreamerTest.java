package dev.portcullis.runtime.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.transport.ErrorStatus;
import dev.portcullis.v1.Alert;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.WatchAlertsRequest;
import dev.portcullis.v1.WatchAlertsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real server stream (AuditService.WatchAlerts, in-process) sent by the streamer. The in-process
 * transport is ready exactly while the client has requested more than it got, so what the server
 * sends and reads ahead can be counted message by message.
 */
class EventStreamerTest {
    private static final int WINDOW = 4;

    private final AtomicReference<EventFeed<WatchAlertsResponse>> feed = new AtomicReference<>();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        EventStreamer streamer = new EventStreamer("test", ErrorStatus::of, WINDOW);
        server = InProcessServerBuilder.forName(name).addService(new AuditServiceGrpc.AuditServiceImplBase() {
            @Override
            public void watchAlerts(WatchAlertsRequest request, StreamObserver<WatchAlertsResponse> response) {
                streamer.stream(response, feed.get());
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    @Test
    void aSlowClientGetsEveryEventInOrderWhileTheServerReadsNoMoreThanTheWindowAhead() throws Exception {
        CountingFeed counting = new CountingFeed(200);
        feed.set(counting);
        SlowClient client = SlowClient.watch(channel);

        List<Long> received = new ArrayList<>();
        long mostAhead = 0;
        Object next = client.take();
        for (; next instanceof WatchAlertsResponse response; next = client.take()) {
            received.add(response.getAlert().getSequence());
            mostAhead = Math.max(mostAhead, counting.read.get() - received.size());
            client.call.request(1);
        }

        assertEquals(LongStream.rangeClosed(1, 200).boxed().toList(), received);
        assertTrue(mostAhead <= WINDOW, "read " + mostAhead + " ahead of the client");
        assertEquals(SlowClient.COMPLETED, next);
    }

    @Test
    void aFinishedFeedCompletesTheStreamBeforeTheClientAsksForMore() throws Exception {
        feed.set(new CountingFeed(1));
        SlowClient client = SlowClient.watch(channel);

        Object first = client.take();
        // the client asked for one message only: the end must not wait until the transport is ready again
        Object end = client.take();

        assertEquals(1, ((WatchAlertsResponse) first).getAlert().getSequence());
        assertEquals(SlowClient.COMPLETED, end);
    }

    @Test
    void cancellingAStreamThatWaitsForEventsFreesTheServersThreadAtOnce() throws Exception {
        IdleFeed idle = new IdleFeed();
        feed.set(idle);
        SlowClient client = SlowClient.watch(channel);
        assertTrue(idle.waiting.await(10, TimeUnit.SECONDS));

        client.call.cancel("the client went away", null);

        // the feed's own wait would last ten minutes
        assertTrue(idle.released.await(10, TimeUnit.SECONDS));
        assertEquals(1, idle.reads.get());
    }

    @Test
    void aFeedsFailureEndsTheStreamWithTheStatusOfTheErrorMapper() throws Exception {
        feed.set(new FailingFeed());
        SlowClient client = SlowClient.watch(channel);

        Object end = client.take();

        Throwable failure = (Throwable) end;
        assertEquals(Status.Code.NOT_FOUND, Status.fromThrowable(failure).getCode());
        assertEquals("RUN_NOT_FOUND", StatusProto.fromThrowable(failure).getDetails(0).unpack(ErrorInfo.class).getReason());
    }

    /** A client that asks for one message at a time, only when the test takes the last one. */
    private static final class SlowClient implements ClientResponseObserver<WatchAlertsRequest, WatchAlertsResponse> {
        static final Object COMPLETED = "completed";

        private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private volatile ClientCallStreamObserver<WatchAlertsRequest> call;

        static SlowClient watch(ManagedChannel channel) {
            SlowClient client = new SlowClient();
            AuditServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .watchAlerts(WatchAlertsRequest.getDefaultInstance(), client);
            return client;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchAlertsRequest> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
        }

        /** The next message, {@link #COMPLETED} or the failure. */
        Object take() throws InterruptedException {
            Object next = received.poll(20, TimeUnit.SECONDS);
            if (next == null) {
                throw new AssertionError("nothing arrived");
            }
            return next;
        }

        @Override
        public void onNext(WatchAlertsResponse value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {
            received.add(t);
        }

        @Override
        public void onCompleted() {
            received.add(COMPLETED);
        }
    }

    /** Alerts 1..total, then the end; counts what was read. */
    private static final class CountingFeed implements EventFeed<WatchAlertsResponse> {
        final AtomicInteger read = new AtomicInteger();
        private final int total;

        CountingFeed(int total) {
            this.total = total;
        }

        @Override
        public List<WatchAlertsResponse> next(int max) {
            List<WatchAlertsResponse> next = new ArrayList<>();
            while (next.size() < max && read.get() < total) {
                next.add(WatchAlertsResponse.newBuilder()
                        .setAlert(Alert.newBuilder().setSequence(read.incrementAndGet())).build());
            }
            return next;
        }

        @Override
        public boolean finished() {
            return read.get() == total;
        }

        @Override
        public void awaitMore() {
            throw new AssertionError("a finished feed is never waited on");
        }
    }

    /** Never has an event; its wait lasts ten minutes unless interrupted. */
    private static final class IdleFeed implements EventFeed<WatchAlertsResponse> {
        final CountDownLatch waiting = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public List<WatchAlertsResponse> next(int max) {
            reads.incrementAndGet();
            return List.of();
        }

        @Override
        public boolean finished() {
            return false;
        }

        @Override
        public void awaitMore() throws InterruptedException {
            waiting.countDown();
            try {
                new CountDownLatch(1).await(10, TimeUnit.MINUTES);
            } finally {
                released.countDown();
            }
        }
    }

    private static final class FailingFeed implements EventFeed<WatchAlertsResponse> {
        @Override
        public List<WatchAlertsResponse> next(int max) {
            throw new DomainException(DomainException.Kind.NOT_FOUND, "RUN_NOT_FOUND", "no such run", Map.of());
        }

        @Override
        public boolean finished() {
            return false;
        }

        @Override
        public void awaitMore() {
            throw new AssertionError("a failed feed is never waited on");
        }
    }
}
