package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.pki.DevPki;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a running dev suite is, for the reliability suite's callers: its dev PKI (to issue
 * caller certificates), the loopback host, the gateway's and audit service's ports, the
 * catalog file the policy service reads and the OIDC issuers its gateway is configured with.
 */
public record SuiteEndpoints(DevPki pki, String host, int gatewayPort, int auditPort, Path catalogFile,
        SuiteIssuers issuers) {
    /**
     * The services' setting under which every refusal the hostile corpus provokes is audited one
     * by one (the default audits 20 a second of those anyone can provoke; the corpus provokes more).
     */
    public static final Map<String, Object> UNLIMITED_REFUSALS =
            Map.of("portcullis.server.anonymous-refusals-per-second", "100000");

    public SuiteEndpoints {
        requireNonNull(issuers, "issuers is null");
        requireNonNull(pki, "pki is null");
        requireNonNull(host, "host is null");
        requireNonNull(catalogFile, "catalogFile is null");
        if (gatewayPort <= 0 || gatewayPort > 65_535 || auditPort <= 0 || auditPort > 65_535) {
            throw new IllegalArgumentException("ports must be between 1 and 65535");
        }
    }
}
