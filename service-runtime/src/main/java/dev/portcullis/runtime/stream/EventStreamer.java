package dev.portcullis.runtime.stream;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.context.Scope;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Sends an {@link EventFeed} down a server stream with gRPC flow control: messages go out while
 * the call is ready; when it is not, the stream pauses without holding a thread and the call's
 * on-ready handler resumes it. At most {@code window} messages are read from the feed ahead of
 * what the transport accepted. Waiting for new events takes a thread, in the feed's bounded
 * {@link EventFeed#awaitMore}, because the domains' notifications are blocking waits; a
 * cancellation interrupts that wait, so a cancelled stream frees its thread at once. The stream
 * completes when the feed is finished, as soon as its last message is handed to the transport (the
 * end needs no room in it), and fails with the service's error mapper's status when the feed throws.
 *
 * <p>Thread-safe; one instance serves every stream of a service.
 */
public final class EventStreamer {
    /** How many messages a stream reads from its feed ahead of what the transport accepted, at most. */
    public static final int DEFAULT_WINDOW = 64;

    private final String service;
    private final Function<? super RuntimeException, ? extends StatusRuntimeException> errors;
    private final int window;
    private final ExecutorService pumps;

    /**
     * @param service names the service ("gateway", "audit service") in thread names and in the
     *     UNAVAILABLE status of a stream whose wait is interrupted other than by its cancellation
     * @param errors the service's error mapper
     */
    public EventStreamer(String service, Function<? super RuntimeException, ? extends StatusRuntimeException> errors) {
        this(service, errors, DEFAULT_WINDOW);
    }

    /** As above, reading at most {@code window} messages ahead. */
    public EventStreamer(String service, Function<? super RuntimeException, ? extends StatusRuntimeException> errors,
            int window) {
        this.service = requireNonNull(service, "service is null");
        this.errors = requireNonNull(errors, "errors is null");
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1");
        }
        this.window = window;
        AtomicInteger threads = new AtomicInteger();
        // a thread per stream that is sending or waiting for events, none for a paused one; idle
        // threads end after a minute, and daemon threads never keep a stopping service alive
        this.pumps = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
            Thread thread = new Thread(task, service.replace(' ', '-') + "-stream-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts sending {@code feed} on {@code response} and returns at once; the RPC method returns
     * right after. Must be called from the RPC method itself, which is where gRPC lets a call's
     * ready and cancel handlers be set, and before anything was sent on {@code response}.
     */
    public <T> void stream(StreamObserver<T> response, EventFeed<T> feed) {
        stream(response, feed, window);
    }

    /**
     * Opens a feed with {@code open} (parsing the request, finding the run …) and streams it; a
     * failure while opening ends the call with the service's status, before anything was sent.
     */
    public <T> void open(StreamObserver<T> response, Supplier<? extends EventFeed<T>> open) {
        open(response, open, window);
    }

    /** As {@link #open(StreamObserver, Supplier)}, reading at most {@code readAhead} messages ahead. */
    public <T> void open(StreamObserver<T> response, Supplier<? extends EventFeed<T>> open, int readAhead) {
        EventFeed<T> feed;
        try {
            feed = open.get();
        } catch (RuntimeException e) {
            response.onError(errors.apply(e));
            return;
        }
        stream(response, feed, readAhead);
    }

    /** As {@link #stream(StreamObserver, EventFeed)}, reading at most {@code readAhead} messages ahead. */
    public <T> void stream(StreamObserver<T> response, EventFeed<T> feed, int readAhead) {
        if (readAhead < 1) {
            throw new IllegalArgumentException("readAhead must be at least 1");
        }
        ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) requireNonNull(response, "response is null");
        Pump<T> pump = new Pump<>(call, requireNonNull(feed, "feed is null"), readAhead);
        call.setOnCancelHandler(pump::cancel);
        call.setOnReadyHandler(pump::signal);
        pump.signal();
    }

    /** One stream's sender. */
    private final class Pump<T> {
        private final ServerCallStreamObserver<T> call;
        private final EventFeed<T> feed;
        private final int readAhead;
        // the call's gRPC and trace contexts, so feeds and the error mapper see what the RPC method saw
        private final Context grpcContext = Context.current();
        private final io.opentelemetry.context.Context traceContext = io.opentelemetry.context.Context.current();
        // signals not yet handled; the one raising it from 0 starts a drain, so one drain runs at a time
        private final AtomicInteger signals = new AtomicInteger();
        // read from the feed, not yet sent; touched only by the running drain (ordered by signals)
        private final ArrayDeque<T> pending = new ArrayDeque<>();
        private boolean ended;
        // guarded by this
        private boolean cancelled;
        // guarded by this: the drain's thread while it waits in the feed, the one a cancellation interrupts
        private Thread waiting;

        Pump(ServerCallStreamObserver<T> call, EventFeed<T> feed, int readAhead) {
            this.call = call;
            this.feed = feed;
            this.readAhead = readAhead;
        }

        void signal() {
            if (signals.getAndIncrement() == 0) {
                pumps.execute(grpcContext.wrap(traceContext.wrap(this::drain)));
            }
        }

        void cancel() {
            synchronized (this) {
                cancelled = true;
                if (waiting != null) {
                    waiting.interrupt();
                }
            }
            signal(); // a paused stream lets go of what it read ahead
        }

        private synchronized boolean cancelled() {
            return cancelled;
        }

        private void drain() {
            int handled = 1;
            do {
                try {
                    send();
                } finally {
                    // whatever send threw, the signals are counted down: a later signal must start a drain again
                    handled = signals.addAndGet(-handled);
                }
            } while (handled != 0);
        }

        private void send() {
            if (ended) {
                return;
            }
            try {
                while (!cancelled()) {
                    boolean ready = call.isReady();
                    if (pending.isEmpty()) {
                        // read even while the transport is busy: a finished feed's end needs no room in it,
                        // so an answer completes as its last message goes out, not after the client read it
                        if (!read(ready)) {
                            return;
                        }
                    } else if (ready) {
                        call.onNext(pending.poll());
                    } else {
                        return; // the on-ready handler signals again
                    }
                }
            } catch (RuntimeException e) {
                end();
                if (!cancelled()) {
                    call.onError(status(e));
                }
                return;
            }
            end();
        }

        /** The service's status for a failure; INTERNAL should its mapper itself fail. */
        private StatusRuntimeException status(RuntimeException failure) {
            try {
                return errors.apply(failure);
            } catch (RuntimeException mapperFailure) {
                return Status.INTERNAL.withDescription("internal error").asRuntimeException();
            }
        }

        /**
         * Reads the feed's next messages, or, when there are none yet and {@code mayWait}, waits for
         * some; false when the stream has ended or pauses until the transport is ready.
         */
        private boolean read(boolean mayWait) {
            List<T> read = feed.next(readAhead);
            if (read.size() > readAhead) {
                throw new IllegalStateException("the feed returned more than it was asked for");
            }
            if (!read.isEmpty()) {
                pending.addAll(read);
                return true;
            }
            if (feed.finished()) {
                end();
                call.onCompleted();
                return false;
            }
            if (!mayWait) {
                return false; // a paused stream holds no thread while it waits for events
            }
            synchronized (this) {
                if (cancelled) {
                    return true; // the loop ends the stream
                }
                waiting = Thread.currentThread();
            }
            try {
                feed.awaitMore();
                return true;
            } catch (InterruptedException e) {
                if (cancelled()) {
                    return true;
                }
                Thread.currentThread().interrupt();
                end();
                call.onError(Status.UNAVAILABLE.withDescription("the " + service + " is shutting down").asRuntimeException());
                return false;
            } finally {
                synchronized (this) {
                    waiting = null;
                    if (cancelled) {
                        Thread.interrupted(); // a cancellation that came as the wait returned
                    }
                }
            }
        }

        private void end() {
            ended = true;
            pending.clear();
        }
    }
}
