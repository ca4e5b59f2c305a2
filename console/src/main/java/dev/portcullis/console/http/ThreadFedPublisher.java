package dev.portcullis.console.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A body Micronaut's server subscribes to, written by blocking code on a thread of ours (an event
 * stream's handler, a download's writer), never an event loop. The producer waits while the
 * browser has asked for nothing more (Micronaut requests as the connection drains), and gives up
 * after {@code stall}: so a browser that stops reading holds one of our threads for at most that
 * long, and no memory beyond what was sent. One subscriber, once.
 *
 * <p>Every signal reaches the subscriber on the connection's event loop, and an item only while
 * the connection is open: Micronaut 4.10 lets go of a response when its connection closes, and an
 * item handed over from another thread after that fails on the event loop ("onNext before
 * request?", micronaut-core#13273). An item reaching a closed connection ends the body there: the
 * producer's next emit returns false, so a browser leaving a page ends its stream's handler.
 */
final class ThreadFedPublisher<T> implements Publisher<T> {
    /** Where a producer hands over its items. */
    interface Sink<T> {
        /** Sends {@code item}; false once the browser is gone or took nothing for the stall time. */
        boolean emit(T item);
    }

    /** Produces the items; returns at the end, throws when the body failed half-way (the connection is then dropped). */
    interface Producer<T> {
        void produce(Sink<T> sink);
    }

    private final Executor executor;
    private final Channel connection;
    private final Duration stall;
    private final Producer<T> producer;
    private final Runnable neverRun;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /**
     * @param executor runs the producer
     * @param connection the connection the body is written to; its event loop delivers every signal
     * @param neverRun called when the producer cannot be run (the executor refused it)
     */
    ThreadFedPublisher(Executor executor, Channel connection, Duration stall, Producer<T> producer, Runnable neverRun) {
        this.executor = requireNonNull(executor, "executor is null");
        this.connection = requireNonNull(connection, "connection is null");
        this.stall = requireNonNull(stall, "stall is null");
        this.producer = requireNonNull(producer, "producer is null");
        this.neverRun = requireNonNull(neverRun, "neverRun is null");
    }

    @Override
    public void subscribe(Subscriber<? super T> subscriber) {
        requireNonNull(subscriber, "subscriber is null");
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            subscriber.onError(new IllegalStateException("this body was already sent"));
            return;
        }
        Demand demand = new Demand();
        subscriber.onSubscribe(demand);
        try {
            executor.execute(() -> produce(subscriber, demand));
        } catch (RejectedExecutionException e) {
            neverRun.run();
            subscriber.onError(e);
        }
    }

    /** On the producer's thread: runs it and ends the body the way it ended. */
    private void produce(Subscriber<? super T> subscriber, Demand demand) {
        try {
            producer.produce(item -> demand.take(stall) && onLoop(demand, () -> subscriber.onNext(item)));
        } catch (RuntimeException e) {
            onLoop(demand, () -> subscriber.onError(e));
            return;
        }
        if (demand.stalled()) {
            IOException stalled = new IOException("the browser took nothing for " + stall.toSeconds() + " s");
            onLoop(demand, () -> subscriber.onError(stalled));
        } else {
            onLoop(demand, subscriber::onComplete);
        }
    }

    /**
     * Hands {@code signal} to the connection's event loop, which runs it unless the subscriber
     * cancelled or the connection closed meanwhile (then nothing more is sent). False once that
     * is known here.
     */
    private boolean onLoop(Demand demand, Runnable signal) {
        if (demand.cancelled()) {
            return false;
        }
        try {
            connection.eventLoop().execute(() -> {
                if (!connection.isActive()) {
                    demand.cancel();
                } else if (!demand.cancelled()) {
                    signal.run();
                }
            });
            return true;
        } catch (RejectedExecutionException e) { // the server is shutting down
            demand.cancel();
            return false;
        }
    }

    /** What the subscriber asked for and not yet got; guarded by {@code lock}. */
    private static final class Demand implements Subscription {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long requested;
        private boolean cancelled;
        private boolean stalled;

        @Override
        public void request(long n) {
            lock.lock();
            try {
                if (n <= 0) {
                    cancelled = true; // rule 3.9: the subscriber broke the protocol; nothing more is sent
                } else {
                    requested = requested + n < 0 ? Long.MAX_VALUE : requested + n;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                cancelled = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** The wait for demand ran out (and the subscriber did not cancel). */
        boolean stalled() {
            lock.lock();
            try {
                return stalled && !cancelled;
            } finally {
                lock.unlock();
            }
        }

        boolean cancelled() {
            lock.lock();
            try {
                return cancelled;
            } finally {
                lock.unlock();
            }
        }

        /** Takes one unit of demand, waiting up to {@code stall}; false when cancelled or the wait ran out. */
        boolean take(Duration stall) {
            lock.lock();
            try {
                long left = stall.toNanos();
                while (requested == 0 && !cancelled && !stalled) {
                    if (left <= 0) {
                        stalled = true;
                        return false;
                    }
                    left = changed.awaitNanos(left);
                }
                if (cancelled || stalled) {
                    return false;
                }
                requested--;
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelled = true;
                return false;
            } finally {
                lock.unlock();
            }
        }
    }
}
