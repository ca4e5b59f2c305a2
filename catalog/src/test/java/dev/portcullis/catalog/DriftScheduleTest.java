package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.RepoFolder;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DriftScheduleTest {
    // Berlin is UTC+1 (CET) in winter and UTC+2 (CEST) in summer; in 2026 it springs forward on
    // Sun 03-29 at 01:00Z (02:00 -> 03:00 local) and falls back on Sun 10-25 at 01:00Z (03:00 -> 02:00).
    private static final Instant FRIDAY_EVENING = Instant.parse("2026-06-05T20:00:00Z");
    private static final List<ChangeWindow> WEEKENDS = List.of(ChangeWindow.parse("Sat-Sun 00:00-24:00 Europe/Berlin"));

    private static DriftTarget target(String folder, Duration every, Duration jitter, List<ChangeWindow> quietHours) {
        return new DriftTarget(new CatalogName("infra-live"), RepoFolder.parse(folder), new CatalogName("prod"),
                new CatalogName("plan"), DriftCheck.DEFAULT_REF, every, jitter, quietHours);
    }

    private static DriftTarget sixHourly(String folder) {
        return target(folder, Duration.ofHours(6), Duration.ofMinutes(36), List.of());
    }

    @Test
    void theFirstCheckIsDueWithinTheJitterOfWhenTheTargetWasFirstSeen() {
        List<DriftTarget> targets = IntStream.range(0, 50).mapToObj(i -> sixHourly("prod/service-" + i)).toList();

        List<Instant> due = targets.stream().map(target -> DriftSchedule.firstDue(target, FRIDAY_EVENING)).toList();

        for (Instant each : due) {
            assertFalse(each.isBefore(FRIDAY_EVENING), each.toString());
            assertFalse(each.isAfter(FRIDAY_EVENING.plus(Duration.ofMinutes(36))), each.toString());
        }
    }

    @Test
    void theNextCheckIsDueEveryPlusTheTargetsOffsetAfterTheLastOneStarted() {
        DriftTarget target = sixHourly("prod/network");

        Instant due = DriftSchedule.nextDue(target, FRIDAY_EVENING);

        assertEquals(FRIDAY_EVENING.plus(Duration.ofHours(6)).plus(DriftSchedule.jitterOffset(target)), due);
    }

    @Test
    void theOffsetIsPinnedSoEveryReplicaAndVersionAgrees() {
        Duration offset = DriftSchedule.jitterOffset(sixHourly("prod/network"));

        assertEquals(Duration.ofSeconds(OFFSET_OF_PROD_NETWORK), offset);
    }

    // the first 8 bytes of SHA-256("infra-live\nprod/network\nprod"), unsigned, modulo 36m + 1s in seconds
    private static final long OFFSET_OF_PROD_NETWORK = 34 * 60 + 13;

    @Test
    void theSameTargetIsDueAtTheSameTimeOnEveryCall() {
        Instant first = DriftSchedule.nextDue(sixHourly("prod/network"), FRIDAY_EVENING);

        Instant second = DriftSchedule.nextDue(sixHourly("prod/network"), FRIDAY_EVENING);

        assertEquals(first, second);
        assertEquals(DriftSchedule.firstDue(sixHourly("prod/network"), FRIDAY_EVENING),
                DriftSchedule.firstDue(sixHourly("prod/network"), FRIDAY_EVENING));
    }

    @Test
    void differentTargetsSpreadOverTheJitter() {
        List<Duration> offsets = IntStream.range(0, 100)
                .mapToObj(i -> DriftSchedule.jitterOffset(sixHourly("prod/service-" + i))).toList();

        Set<Duration> distinct = new HashSet<>(offsets);
        long early = offsets.stream().filter(offset -> offset.compareTo(Duration.ofMinutes(12)) < 0).count();
        long late = offsets.stream().filter(offset -> offset.compareTo(Duration.ofMinutes(24)) >= 0).count();
        assertTrue(distinct.size() >= 90, distinct.size() + " distinct offsets");
        assertTrue(early >= 20 && late >= 20, early + " early, " + late + " late of 100");
        assertTrue(offsets.stream().allMatch(offset -> !offset.isNegative() && offset.compareTo(Duration.ofMinutes(36)) <= 0));
    }

    @Test
    void withoutJitterTheNextCheckIsDueExactlyEvery() {
        DriftTarget target = target("prod/network", Duration.ofHours(6), Duration.ZERO, List.of());

        Instant due = DriftSchedule.nextDue(target, FRIDAY_EVENING);

        assertEquals(FRIDAY_EVENING.plus(Duration.ofHours(6)), due);
    }

    @Test
    void aCheckDueInQuietHoursIsDueWhenTheyEnd() {
        // due Sat 02:00Z = 04:00 CEST: the weekend's quiet hours end Monday 00:00 CEST
        DriftTarget target = target("prod/network", Duration.ofHours(6), Duration.ZERO, WEEKENDS);

        Instant due = DriftSchedule.nextDue(target, FRIDAY_EVENING);

        assertEquals(Instant.parse("2026-06-07T22:00:00Z"), due);
    }

    @Test
    void aFirstCheckDueInQuietHoursIsDueWhenTheyEnd() {
        DriftTarget target = target("prod/network", Duration.ofHours(6), Duration.ZERO, WEEKENDS);

        Instant due = DriftSchedule.firstDue(target, Instant.parse("2026-06-06T12:00:00Z"));

        assertEquals(Instant.parse("2026-06-07T22:00:00Z"), due);
    }

    @Test
    void aCheckDueOutsideQuietHoursIsNotMoved() {
        DriftTarget target = target("prod/network", Duration.ofHours(6), Duration.ZERO, WEEKENDS);

        Instant due = DriftSchedule.nextDue(target, Instant.parse("2026-06-05T10:00:00Z"));

        assertEquals(Instant.parse("2026-06-05T16:00:00Z"), due);
    }

    @Test
    void quietHoursEndAtLocalMidnightInWinterAsInSummer() {
        DriftTarget target = target("prod/network", Duration.ofHours(6), Duration.ZERO, WEEKENDS);

        Instant winter = DriftSchedule.nextDue(target, Instant.parse("2026-01-09T20:00:00Z"));

        assertEquals(Instant.parse("2026-01-11T23:00:00Z"), winter);
    }

    @Test
    void quietHoursWhoseEndIsSkippedBySpringForwardEndAtTheSwitch() {
        // 00:00-02:30 local on 2026-03-29: 02:00-03:00 never happens, so the quiet hours end at 03:00 CEST
        DriftTarget target = target("prod/network", Duration.ofMinutes(5), Duration.ZERO,
                List.of(ChangeWindow.parse("Sun 00:00-02:30 Europe/Berlin")));

        Instant due = DriftSchedule.nextDue(target, Instant.parse("2026-03-29T00:25:00Z"));

        assertEquals(Instant.parse("2026-03-29T01:00:00Z"), due);
    }

    @Test
    void quietHoursRepeatedByFallBackLastBothRepetitions() {
        // 02:00-03:00 local on 2026-10-25 happens twice, 00:00Z-01:00Z (CEST) and 01:00Z-02:00Z (CET)
        DriftTarget target = target("prod/network", Duration.ofMinutes(5), Duration.ZERO,
                List.of(ChangeWindow.parse("Sun 02:00-03:00 Europe/Berlin")));

        Instant due = DriftSchedule.nextDue(target, Instant.parse("2026-10-25T00:10:00Z"));

        assertEquals(Instant.parse("2026-10-25T02:00:00Z"), due);
    }

    @Test
    void overlappingQuietHoursAreLeftTogether() {
        DriftTarget target = target("prod/network", Duration.ofHours(1), Duration.ZERO, List.of(
                ChangeWindow.parse("Mon-Fri 08:00-12:00 UTC"), ChangeWindow.parse("Mon-Fri 11:00-14:00 UTC"),
                ChangeWindow.parse("Fri 14:00-15:00 UTC")));

        Instant due = DriftSchedule.nextDue(target, Instant.parse("2026-06-05T08:00:00Z"));

        assertEquals(Instant.parse("2026-06-05T15:00:00Z"), due);
    }

    @Test
    void quietHoursLeavingNoTimeAreAnError() {
        DriftTarget target = target("prod/network", Duration.ofHours(6), Duration.ZERO,
                List.of(ChangeWindow.parse("Mon-Sun 00:00-24:00 UTC")));

        assertThrows(IllegalStateException.class, () -> DriftSchedule.nextDue(target, FRIDAY_EVENING));
    }

    @Test
    void aTargetCheckedMoreOftenThanAnyCatalogMayAllowCannotBeMade() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> target("prod/network", Duration.ofSeconds(9), Duration.ZERO, List.of()));

        assertEquals("every must be from 10s to 7d", refused.getMessage());
    }

    @Test
    void aTargetWhoseJitterIsMoreThanHalfItsEveryCannotBeMade() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> target("prod/network", Duration.ofHours(6), Duration.ofHours(6), List.of()));

        assertEquals("jitter must be from 0s to half of every (3h)", refused.getMessage());
    }

    @Test
    void aTargetWithNegativeJitterCannotBeMade() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> target("prod/network", Duration.ofHours(6), Duration.ofMinutes(-1), List.of()));

        assertEquals("jitter must be from 0s to half of every (3h)", refused.getMessage());
    }

    @Test
    void theShortestEveryAnyCatalogMayAllowIsScheduledLikeAnyOther() {
        DriftTarget target = target("prod/network", DriftCheck.MIN_EVERY, Duration.ZERO, List.of());

        Instant due = DriftSchedule.nextDue(target, FRIDAY_EVENING);

        assertEquals(FRIDAY_EVENING.plusSeconds(10), due);
    }
}
