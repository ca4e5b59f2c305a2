package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import java.util.List;

/**
 * The policy service's decision about a run, as the gateway keeps it. Immutable.
 *
 * @param allowed allow or deny
 * @param reasons every reason that applies
 * @param matchedRule the rule that matched, e.g. "infra-live rule 1 (line 31:9)"; empty when none
 * @param requiredApprovals approvals required before the run may start
 * @param catalogVersion the catalog version that decided
 * @param argv the command's argv, rendered for this run (allow only)
 * @param secretGrants the secrets the run is granted (allow only), with the catalog's meaning
 * @param producesArtifact the artifact file the command produces; empty when none
 * @param requiresPlan true when the command applies a plan artifact
 * @param changeWindows change windows in force, as written in the catalog
 * @param repoUrl the repository's clone URL (allow only)
 */
public record Decision(boolean allowed, List<Reason> reasons, String matchedRule, int requiredApprovals,
        String catalogVersion, List<String> argv, List<SecretGrant> secretGrants, String producesArtifact,
        boolean requiresPlan, List<String> changeWindows, String repoUrl) {

    /** One reason: a stable code, plain words, and the request field concerned (or empty). */
    public record Reason(String code, String message, String field) {
        public Reason {
            requireNonNull(code, "code is null");
            requireNonNull(message, "message is null");
            requireNonNull(field, "field is null");
        }
    }

    public Decision {
        reasons = List.copyOf(reasons);
        requireNonNull(matchedRule, "matchedRule is null");
        requireNonNull(catalogVersion, "catalogVersion is null");
        argv = List.copyOf(argv);
        secretGrants = List.copyOf(secretGrants);
        requireNonNull(producesArtifact, "producesArtifact is null");
        changeWindows = List.copyOf(changeWindows);
        requireNonNull(repoUrl, "repoUrl is null");
        if (requiredApprovals < 0) {
            throw new IllegalArgumentException("requiredApprovals must not be negative");
        }
    }

    /** The reason codes, for audit attributes. */
    public String reasonCodes() {
        return String.join(",", reasons.stream().map(Reason::code).toList());
    }
}
