package dev.portcullis.policy.decision;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.CommandStep;
import dev.portcullis.catalog.PlanSummaryTool;
import dev.portcullis.catalog.Rule;
import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.Sha256Digest;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A policy decision with everything that explains it. Immutable.
 *
 * @param reasons every reason that applies: for a denial, each thing that is wrong
 * @param argv for an allowed one-step command, its rendered argv (the same as the one step's); empty otherwise
 * @param produces artifact file the command produces; empty when none
 * @param repoUrl the repository's clone URL from the catalog; empty for a denial
 * @param steps for an allowed command, its rendered steps in order; empty for a denial
 * @param env for an allowed command, its rendered environment in catalog order; empty for a denial
 * @param timeout the command's own timeout; {@link Duration#ZERO} when it has none or for a denial
 * @param planSummaryTool the tool the plan summary is derived from; {@code NONE} when none is, or for a denial
 */
public record Decision(Outcome outcome, List<Reason> reasons, List<MatchedRule> matched, int requiredApprovals,
        Sha256Digest catalogVersion, List<String> argv, List<SecretGrant> secretGrants, String produces,
        boolean requiresPlan, List<String> changeWindows, String repoUrl, List<CommandStep> steps,
        Map<String, String> env, Duration timeout, PlanSummaryTool planSummaryTool) {

    /** Allow or deny. */
    public enum Outcome { ALLOW, DENY }

    /**
     * One reason.
     *
     * @param code stable UPPER_SNAKE code
     * @param message plain words naming the offending value
     * @param field request field concerned; empty when none
     */
    public record Reason(String code, String message, String field) {
        public Reason {
            requireNonNull(code, "code is null");
            requireNonNull(message, "message is null");
            requireNonNull(field, "field is null");
        }
    }

    /** The rule that allowed a run. */
    public record MatchedRule(CatalogName repo, Rule rule) {}

    public Decision {
        requireNonNull(outcome, "outcome is null");
        reasons = List.copyOf(reasons);
        matched = List.copyOf(matched);
        requireNonNull(catalogVersion, "catalogVersion is null");
        argv = List.copyOf(argv);
        secretGrants = List.copyOf(secretGrants);
        requireNonNull(produces, "produces is null");
        changeWindows = List.copyOf(changeWindows);
        requireNonNull(repoUrl, "repoUrl is null");
        steps = List.copyOf(steps);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        requireNonNull(timeout, "timeout is null");
        requireNonNull(planSummaryTool, "planSummaryTool is null");
        if (matched.size() > 1) {
            throw new IllegalArgumentException("at most one rule decides");
        }
    }

    /** The rule that matched, when one did. */
    public Optional<MatchedRule> matchedRule() {
        return matched.stream().findFirst();
    }

    public boolean allowed() {
        return outcome == Outcome.ALLOW;
    }
}
