package dev.portcullis.gateway.client;

import static dev.portcullis.runtime.testing.TestPki.id;

import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An in-test neighbour service (an executor or policy stand-in) behind the real server, over real
 * mTLS on loopback, and the gateway's channel to it. Closing stops both.
 */
public final class TestNeighbour implements AutoCloseable {
    private final TlsMaterial tls;
    private final ServiceServer server;
    private final ManagedChannel channel;

    private TestNeighbour(TlsMaterial tls, ServiceServer server, ManagedChannel channel) {
        this.tls = tls;
        this.server = server;
        this.channel = channel;
    }

    /** Serves {@code service} to the gateway's identity, with a fresh test PKI under {@code dir}. */
    public static TestNeighbour serve(Path dir, BindableService service) {
        TestPki pki = TestPki.create(dir);
        TlsMaterial tls = TlsMaterial.load(pki.tlsConfig(pki.issue("server", id("service/neighbour")), Duration.ofMinutes(5)));
        ServiceServer server = new ServiceServer("neighbour", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5),
                Duration.ZERO), tls, new RoleMapping(Map.of(Role.GATEWAY, List.of(new IdentityPattern(
                        "spiffe://test.example/service/gateway")))), List.of(service), new RecordingAuditRecorder(),
                Clock.systemUTC());
        server.start();
        ManagedChannel channel = TestChannels.mtls(server.port(), pki.issue("gateway", id("service/gateway")));
        return new TestNeighbour(tls, server, channel);
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** Stops the server, keeping the channel: calls then find nobody answering. */
    public void stopServer() {
        server.close();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.close();
        tls.close();
    }
}
