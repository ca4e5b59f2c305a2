package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.condition.CelCondition;
import dev.portcullis.runtime.request.CatalogName;
import java.util.List;
import java.util.Set;

/**
 * Binds commands to the refs and environments they may run for, within one repository.
 *
 * @param index zero-based position in the repository's rule list
 * @param location where the rule is written
 * @param folders narrower folder patterns for this rule; empty means the repository's folders
 * @param conditions extra CEL conditions that must all hold
 * @param denyWhen plan rules that deny an apply this rule matched, in catalog order
 * @param approvalsWhen plan rules that raise the approvals an apply this rule matched needs
 */
public record Rule(int index, Location location, Set<CatalogName> commands, List<RefPattern> refs,
        Set<CatalogName> environments, List<FolderPattern> folders, List<CelCondition> conditions,
        List<PlanRule.Deny> denyWhen, List<PlanRule.Approvals> approvalsWhen) {
    public Rule {
        requireNonNull(location, "location is null");
        commands = Set.copyOf(commands);
        refs = List.copyOf(refs);
        environments = Set.copyOf(environments);
        folders = List.copyOf(folders);
        conditions = List.copyOf(conditions);
        denyWhen = List.copyOf(denyWhen);
        approvalsWhen = List.copyOf(approvalsWhen);
    }

    /** A rule without plan rules. */
    public Rule(int index, Location location, Set<CatalogName> commands, List<RefPattern> refs,
            Set<CatalogName> environments, List<FolderPattern> folders, List<CelCondition> conditions) {
        this(index, location, commands, refs, environments, folders, conditions, List.of(), List.of());
    }

    /** True when the rule looks at the plan an apply runs. */
    public boolean hasPlanRules() {
        return !denyWhen.isEmpty() || !approvalsWhen.isEmpty();
    }

    /** True when this rule speaks about {@code command} in {@code environment}. */
    public boolean covers(CatalogName command, CatalogName environment) {
        return commands.contains(command) && environments.contains(environment);
    }
}
