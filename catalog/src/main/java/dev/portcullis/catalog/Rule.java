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
 */
public record Rule(int index, Location location, Set<CatalogName> commands, List<RefPattern> refs,
        Set<CatalogName> environments, List<FolderPattern> folders, List<CelCondition> conditions) {
    public Rule {
        requireNonNull(location, "location is null");
        commands = Set.copyOf(commands);
        refs = List.copyOf(refs);
        environments = Set.copyOf(environments);
        folders = List.copyOf(folders);
        conditions = List.copyOf(conditions);
    }

    /** True when this rule speaks about {@code command} in {@code environment}. */
    public boolean covers(CatalogName command, CatalogName environment) {
        return commands.contains(command) && environments.contains(environment);
    }
}
