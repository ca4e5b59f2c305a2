package dev.portcullis.cli.dev;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.pki.DevPki;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The four services of the dev suite, in start order (the gateway last, after the neighbours it
 * calls): each one's port beside the gateway's, its dev SPIFFE identity, and what of its dev
 * configuration is its own.
 */
public enum DevService {
    AUDIT(3, DevPki.Member.AUDIT, "portcullis.audit.") {
        @Override
        void addOwnProperties(Map<String, Object> properties, Path dataDir, Path catalog, Map<DevService, Integer> ports) {
            properties.put("portcullis.audit.data-dir", dataDir.resolve("audit").toString());
            trustTheConsoleAsDelegate(properties);
        }
    },
    POLICY(1, DevPki.Member.POLICY, "") {
        @Override
        void addOwnProperties(Map<String, Object> properties, Path dataDir, Path catalog, Map<DevService, Integer> ports) {
            deliverAuditThroughOutbox(properties, dataDir, ports);
            properties.put("portcullis.policy.catalog-file", catalog.toString());
        }
    },
    EXECUTOR(2, DevPki.Member.EXECUTOR, "portcullis.executor.store.") {
        @Override
        void addOwnProperties(Map<String, Object> properties, Path dataDir, Path catalog, Map<DevService, Integer> ports) {
            // no spool: the executor's audit outbox is a table of its task database
            properties.put("portcullis.audit-client.address", "localhost:" + ports.get(AUDIT));
            properties.put("portcullis.executor.work-dir", dataDir.resolve("executor").toString());
            properties.put("portcullis.executor.store.data-dir", dataDir.resolve("executor").toString());
        }
    },
    GATEWAY(0, DevPki.Member.GATEWAY, "portcullis.gateway.store.") {
        @Override
        void addOwnProperties(Map<String, Object> properties, Path dataDir, Path catalog, Map<DevService, Integer> ports) {
            // no spool: the gateway's audit outbox is a table of its run database, shipped to its audit-address
            properties.put("portcullis.gateway.policy-address", "localhost:" + ports.get(POLICY));
            properties.put("portcullis.gateway.executor-address", "localhost:" + ports.get(EXECUTOR));
            properties.put("portcullis.gateway.audit-address", "localhost:" + ports.get(AUDIT));
            properties.put("portcullis.gateway.store.data-dir", dataDir.resolve("gateway").toString());
            trustTheConsoleAsDelegate(properties);
        }
    };

    private final int portOffset;
    private final DevPki.Member member;
    private final String storePrefix;

    DevService(int portOffset, DevPki.Member member, String storePrefix) {
        this.portOffset = portOffset;
        this.member = member;
        this.storePrefix = storePrefix;
    }

    /** The service's name ("gateway", …), as the launcher, the CLI and the dev ports know it. */
    public String serviceName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The service's port when the gateway's is {@code basePort}: the gateway's, then policy, executor, audit. */
    public int port(int basePort) {
        return basePort + portOffset;
    }

    /** The dev PKI member whose certificate the service presents. */
    public DevPki.Member member() {
        return member;
    }

    /** The prefix of the service's database properties ({@code jdbc-url}, …), for the services that keep one. */
    public Optional<String> storePrefix() {
        return storePrefix.isEmpty() ? Optional.empty() : Optional.of(storePrefix);
    }

    /** The service named {@code name} ("gateway", …). */
    public static DevService named(String name) {
        requireNonNull(name, "name is null");
        return Arrays.stream(values()).filter(service -> service.serviceName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown service '" + name + "'; choose from " + names()));
    }

    /** Every service's name, in start order. */
    public static List<String> names() {
        return Arrays.stream(values()).map(DevService::serviceName).toList();
    }

    /**
     * The service's dev configuration: loopback on {@code port}, its dev certificate, the dev
     * roles, and what is its own, its neighbours at {@code ports}.
     */
    Map<String, Object> properties(int port, DevPki pki, Path catalog, Map<DevService, Integer> ports) {
        String domain = "spiffe://" + DevPki.TRUST_DOMAIN;
        Map<String, Object> properties = new HashMap<>();
        properties.put("portcullis.server.host", "127.0.0.1");
        properties.put("portcullis.server.port", port);
        properties.put("portcullis.tls.cert-file", pki.certFile(member.fileName()).toString());
        properties.put("portcullis.tls.key-file", pki.keyFile(member.fileName()).toString());
        properties.put("portcullis.tls.ca-file", pki.caFile().toString());
        properties.put("portcullis.roles.ci", List.of(domain + "/ci/**"));
        // the dev admin may approve too, so the two-person rule can be seen refusing a self-approval
        properties.put("portcullis.roles.approver", List.of(domain + "/human/approver", domain + "/human/admin"));
        properties.put("portcullis.roles.auditor", List.of(domain + "/human/auditor"));
        properties.put("portcullis.roles.admin", List.of(domain + "/human/admin"));
        properties.put("portcullis.roles.service", List.of(domain + "/service/*"));
        properties.put("portcullis.roles.gateway", List.of(domain + "/service/gateway"));
        // the dev PKI directory's parent is the data directory
        addOwnProperties(properties, pki.dir().getParent(), catalog, ports);
        return properties;
    }

    abstract void addOwnProperties(Map<String, Object> properties, Path dataDir, Path catalog, Map<DevService, Integer> ports);

    /**
     * The dev console's certificate may present a signed-in person's ID token (issue 23). The dev
     * identity provider for people is added as an issuer of kind human next to these settings
     * ({@code portcullis.oidc.issuers.NAME.*} in the gateway's and the audit service's properties);
     * until one is, the console's calls are refused.
     */
    static void trustTheConsoleAsDelegate(Map<String, Object> properties) {
        properties.put("portcullis.oidc.delegates", List.of(DevPki.Member.CONSOLE.identity().value()));
    }

    /** The policy service delivers its audit events through a durable outbox on disk. */
    void deliverAuditThroughOutbox(Map<String, Object> properties, Path dataDir, Map<DevService, Integer> ports) {
        properties.put("portcullis.audit-client.address", "localhost:" + ports.get(AUDIT));
        properties.put("portcullis.audit-outbox.spool-dir", dataDir.resolve("spool").resolve(serviceName()).toString());
    }
}
