package dev.portcullis.audit.store;

import dev.portcullis.audit.chain.StoredEvent;
import java.util.List;

/**
 * What an append did.
 *
 * @param stored the events newly stored, in chain order
 * @param duplicates events already stored before (same event id), not stored again
 */
public record AppendResult(List<StoredEvent> stored, int duplicates) {
    public AppendResult {
        stored = List.copyOf(stored);
    }
}
