package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the spool holds that the audit service has not acknowledged: events and bytes (the size
 * bound is checked here), and when the frames became durable (the age of the oldest). Events
 * are counted from the moment they are accepted, so the bound also covers events still on their
 * way to disk; a caller whose event was not written gives its bytes back with {@link #release}.
 *
 * <p>Thread-safe: every field is guarded by this object's monitor. It never blocks on I/O.
 */
final class Backlog {
    /**
     * Frames that became durable in one sync and are not acknowledged yet.
     *
     * @param frames how many; positive
     * @param durableAt when they became durable (for recovered frames: when the spool was opened)
     */
    record DurableGroup(long frames, Instant durableAt) {
        DurableGroup {
            requireNonNull(durableAt, "durableAt is null");
            if (frames <= 0) {
                throw new IllegalArgumentException("a durable group holds at least one frame");
            }
        }

        /** The group once its oldest {@code acknowledged} frames are gone (fewer than it holds). */
        DurableGroup less(long acknowledged) {
            return new DurableGroup(frames - acknowledged, durableAt);
        }
    }

    private final long maxSpoolBytes;
    private final Clock clock;

    // Guarded by this.
    private long events; // accepted, not failed, not acknowledged; corrupt frames found by recovery excluded
    private long unackedBytes; // bytes of the frames of those events (and of recovered corrupt frames)
    private boolean refusedForSpace; // an event was refused for space since delivery last made progress
    private final Deque<DurableGroup> durableGroups = new ArrayDeque<>(); // oldest first

    /**
     * @param recovered what an earlier open left unacknowledged; its frames count as durable now
     */
    Backlog(long maxSpoolBytes, Clock clock, SpoolRecovery.Recovered recovered) {
        this.maxSpoolBytes = maxSpoolBytes;
        this.clock = requireNonNull(clock, "clock is null");
        this.events = recovered.events();
        this.unackedBytes = recovered.frameBytes();
        if (recovered.frames() > 0) {
            // when they were written is not kept: their age counts from this open
            durableGroups.add(new DurableGroup(recovered.frames(), clock.instant()));
        }
    }

    /**
     * Counts an event of {@code frameBytes} that is about to be written.
     *
     * @throws OutboxFullException when it would take the spool past its size bound; nothing is counted
     */
    synchronized void reserve(int frameBytes) {
        reserve(frameBytes, 1);
    }

    /**
     * Counts {@code count} events of {@code frameBytes} together that are about to be written.
     *
     * @throws OutboxFullException when they would take the spool past its size bound; nothing is counted
     */
    synchronized void reserve(long frameBytes, int count) {
        if (unackedBytes + frameBytes > maxSpoolBytes) {
            refusedForSpace = true;
            throw new OutboxFullException(unackedBytes, maxSpoolBytes);
        }
        unackedBytes += frameBytes;
        events += count;
    }

    /** Takes back a {@link #reserve}d event that was not written after all. */
    synchronized void release(int frameBytes) {
        release(frameBytes, 1);
    }

    /** Takes back {@code count} events {@link #reserve(long, int) reserved} together that were not written after all. */
    synchronized void release(long frameBytes, int count) {
        unackedBytes -= frameBytes;
        events -= count;
    }

    /** Notes that {@code frames} more frames became durable, just now. */
    synchronized void durable(int frames) {
        durableGroups.addLast(new DurableGroup(frames, clock.instant()));
    }

    /** Forgets what the audit service acknowledged: the frames of {@code batch}, the oldest durable ones. */
    synchronized void acknowledged(SpoolReader.Batch batch) {
        events -= batch.validFrames();
        unackedBytes -= batch.frameBytes();
        long remaining = batch.frames();
        while (remaining > 0 && !durableGroups.isEmpty()) {
            DurableGroup oldest = durableGroups.removeFirst();
            if (oldest.frames() > remaining) {
                durableGroups.addFirst(oldest.less(remaining));
            }
            remaining -= Math.min(remaining, oldest.frames());
        }
        refusedForSpace = false;
    }

    /** Events recorded but not yet acknowledged. */
    synchronized long events() {
        return events;
    }

    /** True when the spool is below its bound and no event was refused for space since delivery last made progress. */
    synchronized boolean hasRoom() {
        return !refusedForSpace && unackedBytes < maxSpoolBytes;
    }

    /** How long the oldest durable, unacknowledged frame has waited; zero when none waits. */
    synchronized Duration oldestAge() {
        DurableGroup oldest = durableGroups.peekFirst();
        if (oldest == null) {
            return Duration.ZERO;
        }
        // whole milliseconds, as the clock's millis() count them
        return Duration.ofMillis(Math.max(0, clock.millis() - oldest.durableAt().toEpochMilli()));
    }
}
