package dev.portcullis.audit.alert;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Counts events per key (an identity, an address) over a sliding window and reports a burst once:
 * when the window first holds {@code threshold} events, and again only after the key's window
 * has cleared (an event arrives with no earlier one for the key inside the window).
 *
 * <p>Memory is bounded: per key at most {@code threshold} event times, idle keys are dropped as
 * time moves on, and at most {@link #MAX_KEYS} keys are tracked (the least recently seen go
 * first), so a spray of failures from many addresses cannot exhaust the heap. Not thread-safe:
 * its owner serialises calls.
 */
final class BurstWindow {
    static final int MAX_KEYS = 100_000;

    /** One counted event. */
    record Hit(Instant time, UUID eventId) {}

    private final int threshold;
    private final Duration window;
    // least recently seen first, so idle keys are found at the head
    private final LinkedHashMap<String, KeyState> keys = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, KeyState> eldest) {
            return size() > MAX_KEYS;
        }
    };

    BurstWindow(int threshold, Duration window) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1");
        }
        this.threshold = threshold;
        this.window = requireNonNull(window, "window is null");
    }

    /**
     * Counts one event for {@code key} at {@code time}.
     *
     * @return the events of the burst this one completes (oldest first), or empty when it completes
     *     none or the key's burst was already reported
     */
    Optional<List<Hit>> record(String key, Instant time, UUID eventId) {
        dropIdleKeys(time);
        KeyState state = keys.computeIfAbsent(key, k -> new KeyState());
        Instant cutoff = time.minus(window);
        if (state.reported && state.hits.stream().noneMatch(hit -> hit.time().isAfter(cutoff))) {
            state.reported = false;
        }
        state.add(new Hit(time, eventId), threshold);
        Instant newestCutoff = state.newest().minus(window);
        state.hits.removeIf(hit -> !hit.time().isAfter(newestCutoff));
        if (state.reported || state.hits.size() < threshold) {
            return Optional.empty();
        }
        state.reported = true;
        return Optional.of(List.copyOf(state.hits));
    }

    /** How many keys are tracked now. */
    int trackedKeys() {
        return keys.size();
    }

    private void dropIdleKeys(Instant now) {
        Instant cutoff = now.minus(window);
        Iterator<KeyState> states = keys.values().iterator();
        while (states.hasNext()) {
            KeyState state = states.next();
            if (state.newest().isAfter(cutoff)) {
                return;
            }
            states.remove();
        }
    }

    /** One key's newest hits in time order, at most {@code threshold} of them. */
    private static final class KeyState {
        private final List<Hit> hits = new ArrayList<>();
        private boolean reported;

        void add(Hit hit, int threshold) {
            // events usually arrive in time order; a late one is slotted into place
            int at = hits.size();
            while (at > 0 && hits.get(at - 1).time().isAfter(hit.time())) {
                at--;
            }
            hits.add(at, hit);
            if (hits.size() > threshold) {
                hits.remove(0);
            }
        }

        Instant newest() {
            return hits.isEmpty() ? Instant.MIN : hits.get(hits.size() - 1).time();
        }
    }
}
