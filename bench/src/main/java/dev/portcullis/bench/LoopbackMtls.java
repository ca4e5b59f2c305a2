package dev.portcullis.bench;

import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.CertificateAuthority;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.IssuedCertificate;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.audit.UnroutedAuditRecorder;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceChannels;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsConfig;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service server and a client channel set up exactly as the suite's services are: a fresh
 * CA, mTLS with SPIFFE identities, the access interceptor; the client is the gateway identity.
 */
final class LoopbackMtls implements AutoCloseable {
    private final Path dir;
    private final TlsMaterial serverTls;
    private final TlsMaterial clientTls;
    private final ServiceServer server;
    private final ManagedChannel channel;

    LoopbackMtls(List<BindableService> services) throws IOException {
        dir = Files.createTempDirectory("portcullis-bench");
        CertificateAuthority ca = CertificateAuthority.create("bench CA",
                Validity.startingNow(Clock.systemUTC(), Duration.ofHours(2)));
        PemFiles.writeCertificate(dir.resolve("ca.pem"), ca.certificate());
        serverTls = TlsMaterial.load(write(ca, "server", "spiffe://bench.example/service/policy"));
        clientTls = TlsMaterial.load(write(ca, "client", "spiffe://bench.example/service/gateway"));
        List<IdentityPattern> gateway = List.of(new IdentityPattern("spiffe://bench.example/service/gateway"));
        // one bench client plays every suite role the benchmarks need
        RoleMapping roles = new RoleMapping(Map.of(Role.GATEWAY, gateway, Role.SERVICE, gateway, Role.AUDITOR, gateway));
        server = new ServiceServer("bench", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(10), Duration.ZERO),
                serverTls, roles, services, new UnroutedAuditRecorder(), Clock.systemUTC());
        server.start();
        channel = new ServiceChannels(clientTls).open("localhost:" + server.port());
    }

    ManagedChannel channel() {
        return channel;
    }

    /** The server's TLS material, e.g. for a second, server-authenticated listener with the same certificate. */
    TlsMaterial serverTls() {
        return serverTls;
    }

    /** The CA bundle that issued both certificates. */
    Path caFile() {
        return dir.resolve("ca.pem");
    }

    private TlsConfig write(CertificateAuthority ca, String name, String id) {
        IssuedCertificate issued = ca.issue(new CertificateRequest(name, new SpiffeId(id), List.of("localhost"),
                List.of("127.0.0.1"), Validity.startingNow(Clock.systemUTC(), Duration.ofHours(1))));
        PemFiles.writePrivateKey(dir.resolve(name + ".key"), issued.privateKey());
        PemFiles.writeCertificate(dir.resolve(name + ".pem"), issued.certificate());
        return new TlsConfig(dir.resolve(name + ".pem"), dir.resolve(name + ".key"), dir.resolve("ca.pem"), Duration.ofMinutes(5));
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        serverTls.close();
        clientTls.close();
        try (var files = Files.list(dir)) {
            files.forEach(file -> file.toFile().delete());
        }
        Files.deleteIfExists(dir);
    }
}
