package dev.portcullis.audit.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DelegateAppendBudgetTest {
    private static final String CONSOLE = "spiffe://test.example/console";
    private final MutableClock clock = MutableClock.at(Instant.parse("2026-12-07T22:00:00Z"));
    private final DelegateAppendBudget budget = new DelegateAppendBudget(clock);

    @Test
    void aBatchOverTheBudgetIsRefusedWholeNamingWhenToRetry() {
        budget.take(CONSOLE, DelegateAppendBudget.CAPACITY - 10);

        DomainException refused = assertThrows(DomainException.class, () -> budget.take(CONSOLE, 50));

        assertEquals(DomainException.Kind.EXHAUSTED, refused.kind());
        assertEquals("DELEGATE_RATE_LIMITED", refused.reason());
        assertEquals("2", refused.metadata().get("retry_after_seconds")); // 40 missing at 20 a second
        assertDoesNotThrow(() -> budget.take(CONSOLE, 10), "the refused batch took nothing");
    }

    @Test
    void theBudgetRefillsAtItsRate() {
        budget.take(CONSOLE, DelegateAppendBudget.CAPACITY);
        clock.advance(Duration.ofSeconds(5));

        assertDoesNotThrow(() -> budget.take(CONSOLE, 5 * DelegateAppendBudget.PER_SECOND));
        assertThrows(DomainException.class, () -> budget.take(CONSOLE, 1));
    }

    @Test
    void eachDelegateHasABudgetOfItsOwn() {
        budget.take(CONSOLE, DelegateAppendBudget.CAPACITY);

        assertDoesNotThrow(() -> budget.take("spiffe://test.example/console-2", DelegateAppendBudget.CAPACITY));
    }
}
