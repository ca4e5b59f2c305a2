package dev.portcullis.policy.server;

import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.CatalogProblem;
import dev.portcullis.catalog.CatalogRejectedException;
import dev.portcullis.policy.api.PolicyGrpcService;
import dev.portcullis.policy.catalog.ActiveCatalog;
import dev.portcullis.policy.decision.PolicyEngine;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.health.Readiness;
import dev.portcullis.runtime.health.ReadinessCheck;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

/** Composition root of the policy service. */
@Factory
public final class PolicyServerFactory {

    @Singleton
    CatalogLoader catalogLoader() {
        return new CatalogLoader();
    }

    /**
     * The catalog in force, watched for new versions. There is no last good version at start,
     * so an invalid catalog stops start-up listing every problem.
     */
    @Singleton
    @Bean(preDestroy = "close")
    ActiveCatalog activeCatalog(PolicyConfig config, CatalogLoader loader, Clock clock, AuditRecorder audit,
            Telemetry telemetry) {
        ActiveCatalog catalog;
        try {
            catalog = new ActiveCatalog(loader, config.catalogFile(), clock, audit, telemetry);
        } catch (CatalogRejectedException e) {
            throw new IllegalStateException("portcullis.policy.catalog-file " + config.catalogFile()
                    + " is refused:\n" + e.problems().stream().map(CatalogProblem::toString)
                            .map(line -> "  " + line).collect(Collectors.joining("\n")));
        }
        catalog.watch(config.reloadInterval());
        return catalog;
    }

    /**
     * Ready while a valid catalog is in force. A bad reload keeps the last good one, so this holds
     * from a successful start on; it is here so that readiness never outruns the catalog.
     */
    @Singleton
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "policy")
    ReadinessCheck catalogReadiness(ActiveCatalog catalog) {
        return ReadinessCheck.of("catalog", () -> catalog.current() != null ? Readiness.READY
                : Readiness.notReady("no valid catalog is loaded"));
    }

    @Singleton
    PolicyEngine policyEngine(ActiveCatalog catalog, Clock clock, Telemetry telemetry) {
        return new PolicyEngine(catalog, clock, telemetry);
    }

    /** The policy service's gRPC server; stopped gracefully when the context closes. */
    @Singleton
    @Named("policy")
    @Bean(preDestroy = "close")
    ServiceServer policyServer(ServerConfig config, TlsMaterial tls, RoleMapping roles, PolicyEngine engine,
            ActiveCatalog catalog, CatalogLoader loader, AuditRecorder audit, Clock clock, Telemetry telemetry) {
        return new ServiceServer("policy", config, tls, roles, List.of(new PolicyGrpcService(engine, catalog, loader, telemetry)),
                audit, clock, telemetry);
    }
}
