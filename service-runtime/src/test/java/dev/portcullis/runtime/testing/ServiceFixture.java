package dev.portcullis.runtime.testing;

import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceLauncher.RunningService;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one service for a test the way production does (Micronaut context, real mTLS server on
 * a free loopback port) with a per-test PKI, and holds a credential for every {@link TestIdentity}.
 */
public final class ServiceFixture implements AutoCloseable {
    private final TestPki pki;
    private final Map<TestIdentity, TestPki.Credential> credentials = new EnumMap<>(TestIdentity.class);
    private final RunningService service;

    private ServiceFixture(TestPki pki, RunningService service) {
        this.pki = pki;
        this.service = service;
    }

    /** Starts service {@code name} presenting a certificate for {@code spiffe://test.example/service/NAME}. */
    public static ServiceFixture start(String name, Path dir, Map<String, Object> extraProperties) {
        TestPki pki = TestPki.create(dir);
        TestPki.Credential own = pki.issue(name + "-server", TestPki.id("service/" + name));
        Map<String, Object> properties = new HashMap<>(roleProperties());
        properties.put("portcullis.server.port", 0);
        properties.put("portcullis.tls.cert-file", own.certFile().toString());
        properties.put("portcullis.tls.key-file", own.keyFile().toString());
        properties.put("portcullis.tls.ca-file", own.caFile().toString());
        properties.putAll(extraProperties);
        ServiceFixture fixture = new ServiceFixture(pki, ServiceLauncher.start(name, properties, false));
        for (TestIdentity identity : TestIdentity.values()) {
            fixture.credentials.put(identity, pki.issue(identity.fileName(), identity.id()));
        }
        return fixture;
    }

    /** The role mapping every test service uses. */
    public static Map<String, Object> roleProperties() {
        return Map.of(
                "portcullis.roles.ci", List.of("spiffe://test.example/ci/**"),
                "portcullis.roles.approver", List.of("spiffe://test.example/human/approver"),
                "portcullis.roles.auditor", List.of("spiffe://test.example/human/auditor"),
                "portcullis.roles.admin", List.of("spiffe://test.example/human/admin"),
                "portcullis.roles.service", List.of("spiffe://test.example/service/*"),
                "portcullis.roles.gateway", List.of("spiffe://test.example/service/gateway"));
    }

    public int port() {
        return service.port();
    }

    public TestPki pki() {
        return pki;
    }

    public TestPki.Credential credential(TestIdentity identity) {
        return credentials.get(identity);
    }

    /** What grpc.health.v1 reports for {@code serviceName}, asked over mTLS as {@code identity}. */
    public ServingStatus health(TestIdentity identity, String serviceName) {
        ManagedChannel channel = TestChannels.mtls(port(), credential(identity));
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(serviceName).build())
                    .getStatus();
        } finally {
            channel.shutdownNow();
        }
    }

    public RunningService service() {
        return service;
    }

    @Override
    public void close() {
        service.close();
    }
}
