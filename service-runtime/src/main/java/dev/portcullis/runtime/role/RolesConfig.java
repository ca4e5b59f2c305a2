package dev.portcullis.runtime.role;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.util.List;

/**
 * Which identities hold which role: per role, a list of SPIFFE ID patterns ({@code *} is one
 * path segment, a final {@code **} is any remaining segments). Every list defaults to empty,
 * so an unconfigured service grants nothing and refuses every call (fail closed).
 * Every key is documented in docs/configuration.md.
 */
@ConfigurationProperties("portcullis.roles")
public record RolesConfig(
        @Nullable List<String> ci,
        @Nullable List<String> approver,
        @Nullable List<String> auditor,
        @Nullable List<String> admin,
        @Nullable List<String> service,
        @Nullable List<String> gateway) {

    public RolesConfig {
        // absent keys bind as null; inside the record they are empty lists
        ci = ci == null ? List.of() : List.copyOf(ci);
        approver = approver == null ? List.of() : List.copyOf(approver);
        auditor = auditor == null ? List.of() : List.copyOf(auditor);
        admin = admin == null ? List.of() : List.copyOf(admin);
        service = service == null ? List.of() : List.copyOf(service);
        gateway = gateway == null ? List.of() : List.copyOf(gateway);
    }

    /** The patterns configured for {@code role}. */
    public List<String> patternsFor(Role role) {
        return switch (role) {
            case CI -> ci;
            case APPROVER -> approver;
            case AUDITOR -> auditor;
            case ADMIN -> admin;
            case SERVICE -> service;
            case GATEWAY -> gateway;
        };
    }
}
