package dev.portcullis.runtime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RefusalBudgetTest {
    private final MutableClock clock = MutableClock.at(Instant.parse("2026-12-07T10:00:00Z"));
    private final RefusalBudget budget = new RefusalBudget(3, clock);

    @Test
    void refusalsOverTheBudgetOfASecondAreLeftOutAndCountedInTheNextOneRecorded() {
        for (int i = 0; i < 3; i++) {
            assertEquals(OptionalLong.of(0), budget.take());
        }
        assertEquals(OptionalLong.empty(), budget.take());
        assertEquals(OptionalLong.empty(), budget.take());

        clock.advance(Duration.ofSeconds(1));

        assertEquals(OptionalLong.of(2), budget.take());
        assertEquals(OptionalLong.of(0), budget.take());
    }
}
