package dev.portcullis.bench;

import dev.portcullis.bench.reliability.BearerCredentials;
import dev.portcullis.cli.dev.issuer.DevIssuer;
import dev.portcullis.runtime.oidc.IdentityTemplate;
import dev.portcullis.runtime.oidc.OidcBearerTokens;
import dev.portcullis.runtime.oidc.OidcIssuer;
import dev.portcullis.runtime.oidc.OidcTokenVerifier;
import dev.portcullis.runtime.audit.UnroutedAuditRecorder;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsConfig;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server set up as the gateway is with an OIDC issuer configured (TLS with the client certificate
 * optional, the access interceptor, the gateway's token verifier behind it), the DEV ONLY dev
 * issuer on loopback whose keys the verifier fetches, and a channel that presents no certificate
 * but a dev token, so every call is authenticated by verifying that JWT (signature, claims,
 * identity mapping).
 */
final class LoopbackBearer implements AutoCloseable {
    private final Path dir;
    private final DevIssuer issuer;
    private final TlsMaterial serverTls;
    private final ServiceServer server;
    private final ManagedChannel channel;

    LoopbackBearer() throws IOException {
        Clock clock = Clock.systemUTC();
        dir = Files.createTempDirectory("portcullis-bench-bearer");
        DevPki pki = new DevPki(dir.resolve("pki"));
        pki.ensure(clock);
        issuer = DevIssuer.start(dir, pki, clock);
        serverTls = TlsMaterial.load(new TlsConfig(pki.certFile("gateway"), pki.keyFile("gateway"), pki.caFile(),
                Duration.ofMinutes(5)));
        OidcIssuer settings = OidcIssuer.builder(DevIssuer.NAME, URI.create(issuer.url()), DevIssuer.AUDIENCE,
                new IdentityTemplate(DevIssuer.IDENTITY_TEMPLATE), OidcIssuer.readCaBundle(pki.caFile()))
                .fetchTimeout(DevIssuer.FETCH_TIMEOUT).build();
        RoleMapping roles = new RoleMapping(Map.of(Role.CI,
                List.of(new IdentityPattern("spiffe://" + DevPki.TRUST_DOMAIN + "/ci/**"))));
        server = new ServiceServer("bench", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(10), Duration.ZERO),
                serverTls, roles, List.of(), new UnroutedAuditRecorder(), clock, Telemetry.disabled("bench"),
                new OidcBearerTokens(new OidcTokenVerifier(List.of(settings), clock)));
        server.start();
        // valid an hour, which outlasts the benchmark; verified afresh on every call
        String token = issuer.tokens().sign(issuer.tokens().github(new CommitSha("0".repeat(40)),
                new GitRef("refs/heads/main")));
        channel = Grpc.newChannelBuilder("localhost:" + server.port(), CompositeChannelCredentials.create(
                TlsChannelCredentials.newBuilder().trustManager(pki.caFile().toFile()).build(),
                new BearerCredentials(token))).build();
    }

    ManagedChannel channel() {
        return channel;
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        serverTls.close();
        issuer.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }
}
