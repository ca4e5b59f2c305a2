package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The policy service's decision about a run, as the gateway keeps it. Immutable.
 *
 * @param allowed allow or deny
 * @param reasons every reason that applies
 * @param matchedRule the rule that matched, e.g. "infra-live rule 1 (line 31:9)"; empty when none
 * @param requiredApprovals approvals required before the run may start
 * @param catalogVersion the catalog version that decided
 * @param argv a one-step command's argv, rendered for this run (allow only); empty for several steps
 * @param secretGrants the secrets the run is granted (allow only), with the catalog's meaning
 * @param producesArtifact the artifact file the command produces; empty when none
 * @param requiresPlan true when the command applies a plan artifact
 * @param changeWindows change windows in force, as written in the catalog
 * @param repoUrl the repository's clone URL (allow only)
 * @param steps the command's steps, rendered for this run, in order (allow only; one for an argv command)
 * @param env the command's environment variables (never secrets)
 * @param commandTimeout the command's own timeout; {@link Duration#ZERO} when it has none (see {@link #timeout})
 * @param planSummaryTool the tool whose {@code show -json} the executor derives a plan summary from
 */
public record Decision(boolean allowed, List<Reason> reasons, String matchedRule, int requiredApprovals,
        String catalogVersion, List<String> argv, List<SecretGrant> secretGrants, String producesArtifact,
        boolean requiresPlan, List<String> changeWindows, String repoUrl, List<CommandStep> steps, Map<String, String> env,
        Duration commandTimeout, PlanTool planSummaryTool) {

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
        steps = List.copyOf(steps);
        env = Map.copyOf(env);
        requireNonNull(commandTimeout, "commandTimeout is null");
        requireNonNull(planSummaryTool, "planSummaryTool is null");
        if (requiredApprovals < 0) {
            throw new IllegalArgumentException("requiredApprovals must not be negative");
        }
        if (commandTimeout.isNegative()) {
            throw new IllegalArgumentException("commandTimeout must not be negative");
        }
        // a decision made before commands had steps (or by a policy service that sends only argv) is one step
        if (steps.isEmpty() && !argv.isEmpty()) {
            steps = List.of(new CommandStep(argv, false));
        }
    }

    /** A decision about a one-step command without environment, own timeout or plan summary. */
    public Decision(boolean allowed, List<Reason> reasons, String matchedRule, int requiredApprovals, String catalogVersion,
            List<String> argv, List<SecretGrant> secretGrants, String producesArtifact, boolean requiresPlan,
            List<String> changeWindows, String repoUrl) {
        this(allowed, reasons, matchedRule, requiredApprovals, catalogVersion, argv, secretGrants, producesArtifact,
                requiresPlan, changeWindows, repoUrl, List.of(), Map.of(), Duration.ZERO, PlanTool.NONE);
    }

    /** The command's own timeout, when the catalog gives it one; the gateway's default applies otherwise. */
    public Optional<Duration> timeout() {
        return commandTimeout.isZero() ? Optional.empty() : Optional.of(commandTimeout);
    }

    /** The reason codes, for audit attributes. */
    public String reasonCodes() {
        return String.join(",", reasons.stream().map(Reason::code).toList());
    }
}
