package dev.portcullis.runtime.audit;

import static java.util.Objects.requireNonNull;

/**
 * What an event is about. Empty strings where a part does not apply.
 *
 * @param kind e.g. "run", "task", "catalog", "identity"
 * @param id e.g. a run id or a catalog version
 * @param repo repository name, when the resource belongs to one
 * @param runId run id, when the event belongs to a run
 */
public record AuditResource(String kind, String id, String repo, String runId) {
    public static final AuditResource NONE = new AuditResource("", "", "", "");

    public AuditResource {
        requireNonNull(kind, "kind is null");
        requireNonNull(id, "id is null");
        requireNonNull(repo, "repo is null");
        requireNonNull(runId, "runId is null");
    }
}
