package dev.portcullis.runtime.testing;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.role.Role;
import java.util.Set;

/** The callers of the suite in tests, with the roles {@link ServiceFixture#roleProperties()} gives them. */
public enum TestIdentity {
    CI("ci/github/acme/infra-live", Set.of(Role.CI)),
    APPROVER("human/approver", Set.of(Role.APPROVER)),
    AUDITOR("human/auditor", Set.of(Role.AUDITOR)),
    ADMIN("human/admin", Set.of(Role.ADMIN)),
    GATEWAY("service/gateway", Set.of(Role.GATEWAY, Role.SERVICE)),
    OTHER_SERVICE("service/executor", Set.of(Role.SERVICE)),
    NOBODY("human/nobody", Set.of());

    private final String path;
    private final Set<Role> roles;

    TestIdentity(String path, Set<Role> roles) {
        this.path = path;
        this.roles = roles;
    }

    public SpiffeId id() {
        return TestPki.id(path);
    }

    public Set<Role> roles() {
        return roles;
    }

    public String fileName() {
        return name().toLowerCase();
    }
}
