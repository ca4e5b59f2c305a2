package dev.portcullis.runtime.transport;

import dev.portcullis.runtime.role.Role;
import dev.portcullis.v1.AccessProto;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which roles may call each method of a server. Portcullis methods carry their rule in the
 * {@code portcullis.v1.access} option of the contract; the standard health and reflection
 * services are open to any authenticated caller; any other method has no rule and is refused.
 */
final class AccessRules {
    private static final Set<String> OPEN_SERVICES = Set.of(
            HealthGrpc.SERVICE_NAME,
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection");

    /** The access rule of one method. */
    sealed interface Rule permits AnyAuthenticated, AnyOf {}

    /** Any caller with a valid certificate and SPIFFE identity. */
    record AnyAuthenticated() implements Rule {}

    /** Callers holding at least one of {@code roles}. */
    record AnyOf(Set<Role> roles) implements Rule {
        AnyOf {
            roles = Set.copyOf(roles);
        }
    }

    private final Map<String, Rule> rules;

    private AccessRules(Map<String, Rule> rules) {
        this.rules = Map.copyOf(rules);
    }

    static AccessRules of(List<ServerServiceDefinition> services) {
        Map<String, Rule> rules = new HashMap<>();
        for (ServerServiceDefinition service : services) {
            String serviceName = service.getServiceDescriptor().getName();
            for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
                String name = method.getMethodDescriptor().getFullMethodName();
                if (OPEN_SERVICES.contains(serviceName)) {
                    rules.put(name, new AnyAuthenticated());
                } else {
                    declaredRule(method).ifPresent(rule -> rules.put(name, rule));
                }
            }
        }
        return new AccessRules(rules);
    }

    /** The rule of {@code fullMethodName}; empty when it has none (refuse). */
    Optional<Rule> ruleFor(String fullMethodName) {
        return Optional.ofNullable(rules.get(fullMethodName));
    }

    private static Optional<Rule> declaredRule(ServerMethodDefinition<?, ?> method) {
        if (!(method.getMethodDescriptor().getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
            return Optional.empty();
        }
        var options = supplier.getMethodDescriptor().getOptions();
        if (!options.hasExtension(AccessProto.access)) {
            return Optional.empty();
        }
        List<dev.portcullis.v1.Role> declared = options.getExtension(AccessProto.access).getRolesList();
        if (declared.isEmpty()) {
            return Optional.of(new AnyAuthenticated());
        }
        // ROLE_UNSPECIFIED and unknown values grant nothing: such a rule admits nobody
        Set<Role> roles = EnumSet.noneOf(Role.class);
        declared.forEach(role -> roleOf(role).ifPresent(roles::add));
        return Optional.of(new AnyOf(roles));
    }

    private static Optional<Role> roleOf(dev.portcullis.v1.Role role) {
        return switch (role) {
            case ROLE_CI -> Optional.of(Role.CI);
            case ROLE_APPROVER -> Optional.of(Role.APPROVER);
            case ROLE_AUDITOR -> Optional.of(Role.AUDITOR);
            case ROLE_ADMIN -> Optional.of(Role.ADMIN);
            case ROLE_SERVICE -> Optional.of(Role.SERVICE);
            case ROLE_GATEWAY -> Optional.of(Role.GATEWAY);
            case ROLE_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }
}
