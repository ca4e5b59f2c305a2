package dev.portcullis.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.server.ConsoleConfig;
import dev.portcullis.console.server.ConsoleOidcConfig;
import dev.portcullis.gateway.server.GatewayConfig;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.oidc.OidcDelegatesConfig;
import dev.portcullis.runtime.oidc.OidcIssuerConfig;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.ConfigBinding;
import dev.portcullis.runtime.transport.TlsConfig;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The web console in the chart (rendered/example.yaml enables it, rendered/spiffe-gitsync.yaml
 * does not): two replicas under a disruption budget, each with its refusals' audit spool on a claim
 * of its own (ChartDurabilityTest checks the claim), reaching only the gateway, the audit
 * service, its identity provider and DNS, and trusted by the gateway and the audit service as the
 * delegate of people signed in at that provider.
 */
class ConsoleChartTest {
    private static final RenderedChart WITH = RenderedChart.named("example");
    private static final RenderedChart WITHOUT = RenderedChart.named("spiffe-gitsync");

    @Test
    void theConsoleRunsTwoReplicasUnderADisruptionBudgetBehindItsService() {
        Map<String, Object> workload = WITH.workload("console").orElseThrow();
        Map<String, Object> podLabels = Yaml.map(workload, "spec", "template", "metadata", "labels");

        assertEquals("StatefulSet", Yaml.string(workload, "kind"), "each replica's audit spool is a claim of its own");
        assertEquals("portcullis-console", Yaml.string(workload, "spec", "serviceName"));
        assertEquals("2", Yaml.string(workload, "spec", "replicas"));
        assertEquals(podLabels.get("app.kubernetes.io/component"), "console");
        Map<String, Object> budget = WITH.named("PodDisruptionBudget", "portcullis-console").orElseThrow();
        assertTrue(podLabels.entrySet().containsAll(Yaml.map(budget, "spec", "selector", "matchLabels").entrySet()));
        Map<String, Object> service = WITH.named("Service", "portcullis-console").orElseThrow();
        assertTrue(podLabels.entrySet().containsAll(Yaml.map(service, "spec", "selector").entrySet()));
        assertEquals("ClientIP", Yaml.string(service, "spec", "sessionAffinity"), "sessions live in one replica's memory");
    }

    @Test
    void theConsolesProbesAskItsHealthEndpointOverHttps() {
        Map<String, Object> container = Yaml.maps(WITH.workload("console").orElseThrow(), "spec", "template", "spec", "containers")
                .stream().filter(each -> "console".equals(each.get("name"))).findFirst().orElseThrow();

        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertEquals("/healthz", Yaml.string(container, probe, "httpGet", "path"), probe);
            assertEquals("HTTPS", Yaml.string(container, probe, "httpGet", "scheme"), probe);
        }
    }

    @Test
    void theConsolesNetworkPolicyLetsItReachOnlyTheGatewayTheAuditServiceItsIdentityProviderAndDns() {
        Map<String, Object> policy = WITH.named("NetworkPolicy", "portcullis-console").orElseThrow();
        Set<String> reached = new HashSet<>();

        for (Map<String, Object> rule : Yaml.maps(policy, "spec", "egress")) {
            for (Map<String, Object> peer : Yaml.maps(rule, "to")) {
                List<String> ports = Yaml.maps(rule, "ports").stream().map(p -> Yaml.string(p, "port")).toList();
                if (peer.containsKey("ipBlock")) {
                    reached.add(Yaml.string(peer, "ipBlock", "cidr") + ":" + ports);
                } else if (peer.containsKey("namespaceSelector")) {
                    reached.add("dns:" + ports);
                } else {
                    reached.add(Yaml.string(peer, "podSelector", "matchLabels", "app.kubernetes.io/component") + ":" + ports);
                }
                assertFalse(peer.containsKey("namespaceSelector") && !ports.equals(List.of("53", "53")),
                        "only DNS may be reached in another namespace: " + rule);
            }
        }

        assertEquals(Set.of("dns:[53, 53]", "gateway:[8443]", "audit:[8443]", "198.51.100.0/24:[443]"), reached);
        assertEquals(List.of("Ingress", "Egress"), Yaml.strings(policy, "spec", "policyTypes"));
    }

    @Test
    void theGatewayAndTheAuditServiceAcceptTheConsoleAsDelegateOfPeopleFromItsIdentityProvider() {
        for (String service : List.of("gateway", "audit")) {
            Map<String, String> properties = ServiceProperties.of(WITH, service);

            OidcDelegatesConfig delegates = ConfigBinding.bind(OidcDelegatesConfig.class, new HashMap<>(properties));

            assertEquals(Set.of(new SpiffeId("spiffe://example.org/console")), delegates.identities(), service);
            assertEquals("human", properties.get("portcullis.oidc.issuers.okta.kind"), service);
            assertEquals("https://acme.okta.com/oauth2/default", properties.get("portcullis.oidc.issuers.okta.issuer-url"), service);
            assertEquals("0oa1portcullisconsole", properties.get("portcullis.oidc.issuers.okta.audience"), service);
            assertEquals("spiffe://example.org/human/{sub}", properties.get("portcullis.oidc.issuers.okta.identity-template"),
                    service);
            assertEquals("10m", properties.get("portcullis.oidc.issuers.okta.approval-max-login-age"), service);
            assertEquals("mfa", properties.get("portcullis.oidc.issuers.okta.approval-required-amr"), service);
            assertEquals("/var/run/portcullis/idp-ca/ca.crt", properties.get("portcullis.oidc.issuers.okta.ca-file"), service);
            assertTrue(mounts(WITH, service).contains("idp-ca:/var/run/portcullis/idp-ca"), service + ": " + mounts(WITH, service));
            assertTrue(egress(WITH, service).contains("198.51.100.0/24"), service + " must reach the identity provider's keys");
        }
        ConsoleConfig console = ConfigBinding.bind(ConsoleConfig.class, new HashMap<>(ServiceProperties.of(WITH, "console")));
        GatewayConfig gateway = ConfigBinding.bind(GatewayConfig.class, new HashMap<>(ServiceProperties.of(WITH, "gateway")));
        RunId run = new RunId("0123abcd-0000-4000-8000-0123456789ab");
        assertEquals(URI.create(console.publicUrl() + "/runs/" + run.value()), gateway.console().orElseThrow().runPage(run),
                "announcements link the console's run page");
    }

    @Test
    void theHumanIssuerTheChartWritesBindsIntoTheServicesIssuerRecordsWithTheStepUpSettings() {
        for (String service : List.of("gateway", "audit")) {
            List<OidcIssuerConfig> issuers;
            try (ApplicationContext context = ApplicationContext.builder()
                    .properties(new HashMap<>(ServiceProperties.of(WITH, service))).environmentPropertySource(false)
                    .deduceEnvironment(false).banner(false).start()) {
                issuers = List.copyOf(context.getBeansOfType(OidcIssuerConfig.class));
            }

            assertEquals(1, issuers.size(), service);
            OidcIssuerConfig okta = issuers.get(0);
            assertEquals("okta", okta.name(), service);
            assertEquals("human", okta.kind(), service);
            assertEquals(Duration.ofMinutes(10), okta.approvalMaxLoginAge(), service);
            assertEquals(List.of("mfa"), okta.approvalRequiredAmr(), service);
            assertEquals(Path.of("/var/run/portcullis/idp-ca/ca.crt"), okta.caFile(), service);
        }
    }

    @Test
    void theConsolesFileBindsIntoItsConfigurationWithTheClientSecretAndCaAsMountedFiles() {
        Map<String, Object> properties = new HashMap<>(ServiceProperties.of(WITH, "console"));

        ConsoleConfig console = ConfigBinding.bind(ConsoleConfig.class, properties);
        ConsoleOidcConfig oidc = ConfigBinding.bind(ConsoleOidcConfig.class, properties);
        ConfigBinding.bind(TlsConfig.class, properties);
        OutboxConfig outbox = ConfigBinding.bind(OutboxConfig.class, properties);

        assertEquals(URI.create("https://portcullis.example.com"), console.publicUrl());
        assertEquals("portcullis-gateway:8443", console.gatewayAddress());
        assertEquals("portcullis-audit:8443", console.auditAddress());
        assertEquals(URI.create("https://acme.okta.com/oauth2/default"), oidc.issuerUrl());
        assertEquals("0oa1portcullisconsole", oidc.clientId());
        assertEquals(Path.of("/var/run/portcullis/oidc-client/client-secret"), oidc.clientSecretFile());
        assertEquals(Path.of("/var/run/portcullis/idp-ca/ca.crt"), oidc.caFile());
        assertEquals(Path.of("/var/lib/portcullis/outbox"), outbox.requiredSpoolDir());
        assertTrue(mounts(WITH, "console").containsAll(List.of("oidc-client:/var/run/portcullis/oidc-client",
                "idp-ca:/var/run/portcullis/idp-ca", "tls:/var/run/portcullis/tls", "outbox:/var/lib/portcullis/outbox")),
                mounts(WITH, "console").toString());
        assertFalse(String.valueOf(Yaml.maps(container(WITH, "console"), "env")).contains("oidc-client"),
                "the client secret must never be an environment variable");
    }

    @Test
    void theConsolesCertificateNamesItsDelegateIdentity() {
        Map<String, Object> certificate = WITH.named("Certificate", "portcullis-console").orElseThrow();

        assertEquals(List.of("spiffe://example.org/console"), Yaml.strings(certificate, "spec", "uris"));
        assertEquals("portcullis-console-tls", Yaml.string(certificate, "spec", "secretName"));
    }

    @Test
    void theIngressServesThePublicHostWithItsTlsSecretClassAndAnnotations() {
        Map<String, Object> ingress = WITH.named("Ingress", "portcullis-console").orElseThrow();

        assertEquals("nginx", Yaml.string(ingress, "spec", "ingressClassName"));
        assertEquals("HTTPS", Yaml.string(ingress, "metadata", "annotations", "nginx.ingress.kubernetes.io/backend-protocol"));
        assertEquals("portcullis.example.com", Yaml.string(Yaml.maps(ingress, "spec", "rules").get(0), "host"));
        Map<String, Object> tls = Yaml.maps(ingress, "spec", "tls").get(0);
        assertEquals(List.of("portcullis.example.com"), Yaml.strings(tls, "hosts"));
        assertEquals("portcullis-console-public-tls", Yaml.string(tls, "secretName"));
    }

    @Test
    void withoutTheConsoleTheChartRendersNoneOfItAndNoDelegateOrHumanIssuer() {
        assertTrue(WITHOUT.workload("console").isEmpty());
        assertTrue(WITHOUT.named("NetworkPolicy", "portcullis-console").isEmpty());
        assertTrue(WITHOUT.named("Ingress", "portcullis-console").isEmpty());
        for (String service : List.of("gateway", "audit")) {
            Map<String, String> properties = ServiceProperties.of(WITHOUT, service);

            assertFalse(properties.keySet().stream().anyMatch(k -> k.startsWith("portcullis.oidc.")
                    || k.equals("portcullis.gateway.console-url")), service + ": " + properties);
            assertFalse(mounts(WITHOUT, service).stream().anyMatch(m -> m.startsWith("idp-ca:")), service);
        }
    }

    private static Map<String, Object> container(RenderedChart chart, String service) {
        Map<String, Object> pod = Yaml.map(chart.workload(service).orElseThrow(), "spec", "template", "spec");
        return Yaml.maps(pod, "containers").stream().filter(c -> service.equals(c.get("name"))).findFirst().orElseThrow();
    }

    /** The container's mounts as NAME:PATH. */
    private static List<String> mounts(RenderedChart chart, String service) {
        return Yaml.maps(container(chart, service), "volumeMounts").stream()
                .map(m -> Yaml.string(m, "name") + ":" + Yaml.string(m, "mountPath")).toList();
    }

    /** The CIDRs the service's network policy lets it reach. */
    private static Set<String> egress(RenderedChart chart, String service) {
        Set<String> cidrs = new HashSet<>();
        for (Map<String, Object> rule : Yaml.maps(chart.named("NetworkPolicy", "portcullis-" + service).orElseThrow(), "spec",
                "egress")) {
            Yaml.maps(rule, "to").stream().filter(peer -> peer.containsKey("ipBlock"))
                    .forEach(peer -> cidrs.add(Yaml.string(peer, "ipBlock", "cidr")));
        }
        return cidrs;
    }
}
