package dev.portcullis.runtime.role;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.identity.SpiffeId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Assigns roles to identities by pattern. Immutable and thread-safe. */
public final class RoleMapping {
    private final Map<Role, List<IdentityPattern>> patterns;

    /** @param patterns per role, the identity patterns that hold it */
    public RoleMapping(Map<Role, List<IdentityPattern>> patterns) {
        requireNonNull(patterns, "patterns is null");
        Map<Role, List<IdentityPattern>> copy = new EnumMap<>(Role.class);
        patterns.forEach((role, list) -> copy.put(role, List.copyOf(list)));
        this.patterns = Map.copyOf(copy);
    }

    /**
     * Builds the mapping from configuration.
     *
     * @throws IllegalArgumentException naming the property and the bad pattern
     */
    public static RoleMapping from(RolesConfig config) {
        Map<Role, List<IdentityPattern>> patterns = new EnumMap<>(Role.class);
        List<String> problems = new ArrayList<>();
        for (Role role : Role.values()) {
            List<IdentityPattern> parsed = new ArrayList<>();
            for (String text : config.patternsFor(role)) {
                try {
                    parsed.add(new IdentityPattern(text));
                } catch (IllegalArgumentException e) {
                    problems.add("portcullis.roles." + role.name().toLowerCase() + ": " + e.getMessage());
                }
            }
            patterns.put(role, parsed);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new RoleMapping(patterns);
    }

    /** The roles {@code identity} holds; empty when none. */
    public Set<Role> rolesOf(SpiffeId identity) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        patterns.forEach((role, list) -> {
            if (list.stream().anyMatch(pattern -> pattern.matches(identity))) {
                roles.add(role);
            }
        });
        return Set.copyOf(roles);
    }

    /** True when no role is assigned to any pattern. */
    public boolean isEmpty() {
        return patterns.values().stream().allMatch(List::isEmpty);
    }
}
