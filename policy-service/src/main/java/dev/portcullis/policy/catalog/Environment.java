package dev.portcullis.policy.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CatalogName;
import java.time.Instant;
import java.util.List;

/**
 * A deployment environment.
 *
 * @param approvals approvals required before a command that changes infrastructure may run here
 * @param changeWindows when such commands may run; empty means any time
 */
public record Environment(CatalogName name, int approvals, List<ChangeWindow> changeWindows) {
    public Environment {
        requireNonNull(name, "name is null");
        changeWindows = List.copyOf(changeWindows);
    }

    /** True when {@code now} lies in a change window, or the environment has none. */
    public boolean openAt(Instant now) {
        return changeWindows.isEmpty() || changeWindows.stream().anyMatch(window -> window.contains(now));
    }
}
