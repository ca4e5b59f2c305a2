package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CatalogName;
import java.time.Instant;
import java.util.List;

/**
 * A deployment environment. Immutable.
 *
 * <p>approvals: approvals required before a command that changes infrastructure may run here;
 * change windows: when such commands may run (empty means any time).
 */
public final class Environment {
    private final CatalogName name;
    private final int approvals;
    private final List<ChangeWindow> changeWindows;
    // rendered once: every decision about this environment reports them
    private final List<String> changeWindowTexts;

    public Environment(CatalogName name, int approvals, List<ChangeWindow> changeWindows) {
        this.name = requireNonNull(name, "name is null");
        this.approvals = approvals;
        this.changeWindows = List.copyOf(changeWindows);
        this.changeWindowTexts = this.changeWindows.stream().map(ChangeWindow::toString).toList();
    }

    public CatalogName name() {
        return name;
    }

    public int approvals() {
        return approvals;
    }

    public List<ChangeWindow> changeWindows() {
        return changeWindows;
    }

    /** The change windows as written canonically, e.g. {@code Mon-Fri 08:00-18:00 Europe/Berlin}. */
    public List<String> changeWindowTexts() {
        return changeWindowTexts;
    }

    /** True when {@code now} lies in a change window, or the environment has none. */
    public boolean openAt(Instant now) {
        if (changeWindows.isEmpty()) {
            return true;
        }
        for (ChangeWindow window : changeWindows) {
            if (window.contains(now)) {
                return true;
            }
        }
        return false;
    }
}
