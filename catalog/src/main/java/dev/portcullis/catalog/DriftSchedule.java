package dev.portcullis.catalog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When a drift target's checks are due. Pure functions of their arguments: every replica, given the
 * same target and the same last check, computes the same instant, so replicas agree on what is due
 * without talking to each other (the database still decides which one runs it).
 *
 * <p>Each target has a fixed {@link #jitterOffset offset} in {@code [0, jitter]}, derived from the
 * SHA-256 of its repo, folder and environment: targets with the same {@code every} start at
 * different times, and keep drifting apart since their periods differ, instead of all planning
 * together on the hour. A due time inside quiet hours moves to the first instant outside all of
 * them.
 *
 * <p>Stateless and thread-safe.
 */
public final class DriftSchedule {
    /** How far past a due time quiet hours may push it: more than any week's quiet hours can. */
    static final Duration QUIET_SEARCH = Duration.ofDays(15);
    private static final int MAX_QUIET_STEPS = 10_000;

    private DriftSchedule() {}

    /**
     * When a target never checked is first due: {@code firstSeen} plus its offset, so within
     * {@code [firstSeen, firstSeen + jitter]}, moved out of quiet hours. {@code firstSeen} is the
     * instant the caller first saw the target; kept and passed again, it gives the same answer.
     *
     * @throws IllegalStateException when the target's quiet hours leave no time in the
     *     15 days after the due time (a loaded catalog refuses such quiet hours)
     */
    public static Instant firstDue(DriftTarget target, Instant firstSeen) {
        return outOfQuietHours(target, firstSeen.plus(jitterOffset(target)));
    }

    /**
     * When a target is due after a check that started at {@code lastCheckStart}:
     * {@code lastCheckStart + every + offset}, moved out of quiet hours. Depends on nothing else,
     * so it may lie in the past (the scheduler was down, or the check waited in the queue): such a
     * check is due at once.
     *
     * @throws IllegalStateException when the target's quiet hours leave no time in the
     *     15 days after the due time (a loaded catalog refuses such quiet hours)
     */
    public static Instant nextDue(DriftTarget target, Instant lastCheckStart) {
        return outOfQuietHours(target, lastCheckStart.plus(target.every()).plus(jitterOffset(target)));
    }

    /** The target's fixed share of its jitter: whole seconds in {@code [0, jitter]}, the same on every replica. */
    public static Duration jitterOffset(DriftTarget target) {
        long jitterSeconds = target.jitter().toSeconds();
        if (jitterSeconds == 0) {
            return Duration.ZERO;
        }
        // names and folders hold no newline, so the identity text is unambiguous
        String identity = target.repo().value() + "\n" + target.folder().value() + "\n" + target.environment().value();
        long hash = ByteBuffer.wrap(sha256(identity)).getLong();
        return Duration.ofSeconds(Long.remainderUnsigned(hash, jitterSeconds + 1));
    }

    /**
     * The first instant at or after {@code from} outside every one of {@code quietHours}; empty
     * when there is none within {@link #QUIET_SEARCH}.
     */
    static Optional<Instant> leaveQuietHours(List<ChangeWindow> quietHours, Instant from) {
        Instant limit = from.plus(QUIET_SEARCH);
        Instant at = from;
        for (int step = 0; step < MAX_QUIET_STEPS && !at.isAfter(limit); step++) {
            Instant latestClose = at;
            for (ChangeWindow window : quietHours) {
                Optional<Instant> close = window.closesAfter(at);
                if (close.isPresent() && close.get().isAfter(latestClose)) {
                    latestClose = close.get();
                }
            }
            if (latestClose.equals(at)) {
                return Optional.of(at);
            }
            // every instant up to the latest close is inside that window: none of them is free
            at = latestClose;
        }
        return Optional.empty();
    }

    private static Instant outOfQuietHours(DriftTarget target, Instant due) {
        return leaveQuietHours(target.quietHours(), due).orElseThrow(() -> new IllegalStateException(
                "the quiet hours of drift target " + target.repo() + " " + target.folder() + " " + target.environment()
                        + " leave no time to check in " + QUIET_SEARCH.toDays() + " days"));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
