package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.health.ServingSwitch;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.telemetry.Telemetry;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's gRPC server: mTLS (client certificate required; optional only for a server admitting
 * CI jobs' {@link BearerTokens}, whose callers may authenticate with a token instead), every call through
 * {@link AccessInterceptor}, plus {@code grpc.health.v1} and server reflection; every TLS handshake
 * it ends is recorded ({@link HandshakeRefusals}). Thread-safe;
 * {@link #start()} once, {@link #close()} once.
 *
 * <p>When {@link ServerConfig#healthProbePort()} is set, a second, plaintext server on that port
 * answers {@code grpc.health.v1.Health/Check} and nothing else (not {@code Watch}, whose open
 * streams an unauthenticated caller could pile up), from the same health status. Kubernetes'
 * native {@code grpc:} probe speaks no TLS; this port is what it probes.
 *
 * <p>Readiness ({@link #setServing}, fed by the service's readiness checks) is reported for the
 * whole server ({@code ""}) and each of its services; {@value #LIVENESS} reports only that the
 * process serves, from {@link #start()} until {@link #close()}, for liveness probes: a database
 * outage must take a replica out of rotation, not restart it.
 */
public final class ServiceServer implements ServingSwitch, AutoCloseable {
    /** The health service name that is SERVING while the server runs, whatever its readiness. */
    public static final String LIVENESS = "liveness";
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);

    private final String name;
    private final ServerConfig config;
    private final HealthStatusManager health = new HealthStatusManager();
    private final List<String> serviceNames = new ArrayList<>();
    private final Server server;
    private final Optional<Server> healthServer;

    /**
     * @param name short service name for logs, e.g. "gateway"
     * @param services the service's own gRPC services; every method must declare an access rule
     * @param audit where refused calls and refused TLS handshakes are recorded ({@code auth.failed})
     */
    public ServiceServer(String name, ServerConfig config, TlsMaterial tls, RoleMapping roles,
            List<BindableService> services, AuditRecorder audit, Clock clock) {
        this(name, config, tls, roles, services, audit, clock, Telemetry.disabled(name));
    }

    /**
     * As above, with a server span and call metrics per call ({@link Telemetry#serverInterceptor()},
     * outside access control so refusals are counted too).
     */
    public ServiceServer(String name, ServerConfig config, TlsMaterial tls, RoleMapping roles,
            List<BindableService> services, AuditRecorder audit, Clock clock, Telemetry telemetry) {
        this(name, config, tls, roles, services, audit, clock, telemetry, Optional.empty());
    }

    /**
     * As above, and a caller may instead authenticate with an {@code authorization: Bearer} token that
     * {@code bearerTokens} accepts, over TLS without a client certificate (client authentication
     * optional). A caller presenting both must be named the same by both.
     */
    public ServiceServer(String name, ServerConfig config, TlsMaterial tls, RoleMapping roles,
            List<BindableService> services, AuditRecorder audit, Clock clock, Telemetry telemetry,
            BearerTokens bearerTokens) {
        this(name, config, tls, roles, services, audit, clock, telemetry,
                new TokenAdmission(requireNonNull(bearerTokens, "bearerTokens is null"), true, Set.of()));
    }

    /**
     * As above, admitting the tokens {@code admission} admits from whom it admits them: the TLS asks for
     * a client certificate without requiring it only when CI jobs' tokens are admitted; a person's token
     * comes only from a delegate, who always presents its certificate.
     */
    public ServiceServer(String name, ServerConfig config, TlsMaterial tls, RoleMapping roles,
            List<BindableService> services, AuditRecorder audit, Clock clock, Telemetry telemetry,
            TokenAdmission admission) {
        this(name, config, tls, roles, services, audit, clock, telemetry,
                Optional.of(requireNonNull(admission, "admission is null")));
    }

    private ServiceServer(String name, ServerConfig config, TlsMaterial tls, RoleMapping roles,
            List<BindableService> services, AuditRecorder audit, Clock clock, Telemetry telemetry,
            Optional<TokenAdmission> admission) {
        this.name = requireNonNull(name, "name is null");
        this.config = requireNonNull(config, "config is null");
        requireNonNull(tls, "tls is null");
        requireNonNull(roles, "roles is null");
        List<ServerServiceDefinition> definitions = new ArrayList<>();
        for (BindableService service : services) {
            ServerServiceDefinition definition = service.bindService();
            definitions.add(definition);
            serviceNames.add(definition.getServiceDescriptor().getName());
        }
        definitions.add(health.getHealthService().bindService());
        definitions.add(ProtoReflectionServiceV1.newInstance().bindService());
        InboundGuard guard = new InboundGuard();
        definitions = guard.guard(definitions);
        AccessRules rules = AccessRules.of(definitions);
        // refused handshakes and calls refused before any identity was proven: anyone can provoke both
        RefusalBudget anonymousRefusals = new RefusalBudget(config.anonymousRefusalsPerSecond(), clock);
        HandshakeRefusals handshakes = new HandshakeRefusals(name, audit, clock, anonymousRefusals);
        NettyServerBuilder builder = NettyServerBuilder
                .forAddress(new InetSocketAddress(config.host(), config.port()),
                        admission.isPresent() && admission.get().ciTokens()
                        ? tls.serverCredentialsWithOptionalClientCertificate(handshakes)
                        : tls.serverCredentials(handshakes))
                .maxInboundMessageSize(config.maxInboundMessageBytes())
                .maxInboundMetadataSize(16 * 1024)
                .handshakeTimeout(config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .addStreamTracerFactory(guard)
                .intercept(admission.isPresent()
                        ? new AccessInterceptor(name, rules, roles, audit, clock, guard, admission.get(),
                                anonymousRefusals)
                        : new AccessInterceptor(name, rules, roles, audit, clock, guard))
                // added last, so it runs first
                .intercept(requireNonNull(telemetry, "telemetry is null").serverInterceptor());
        definitions.forEach(builder::addService);
        this.server = builder.build();
        this.healthServer = config.healthProbePort().isPresent()
                ? Optional.of(healthOnlyServer(config.host(), config.healthProbePort().getAsInt()))
                : Optional.empty();
    }

    private Server healthOnlyServer(String host, int port) {
        String check = HealthGrpc.getCheckMethod().getFullMethodName();
        ServerServiceDefinition checkOnly = ServerServiceDefinition.builder(HealthGrpc.SERVICE_NAME)
                .addMethod(health.getHealthService().bindService().getMethod(check))
                .build();
        // a health check request is a service name: small limits leave nothing to abuse
        return NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .maxInboundMessageSize(1024)
                .maxInboundMetadataSize(4096)
                .maxConcurrentCallsPerConnection(4)
                .addService(checkOnly)
                .build();
    }

    /**
     * Binds the port and starts serving; the health service reports SERVING afterwards.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public void start() {
        bind(server, config.port(), "portcullis.server.port");
        if (healthServer.isPresent()) {
            try {
                bind(healthServer.get(), config.healthPort(), "portcullis.server.health-port");
            } catch (UncheckedIOException e) {
                server.shutdownNow();
                throw e;
            }
        }
        health.setStatus(LIVENESS, ServingStatus.SERVING);
        setServing(true);
        log.atInfo().addKeyValue("service", name).addKeyValue("port", port())
                .addKeyValue("health_port", healthPort().isPresent() ? healthPort().getAsInt() : "none")
                .log("server.started");
    }

    private void bind(Server target, int port, String portKey) {
        try {
            target.start();
        } catch (IOException e) {
            String why = e instanceof BindException || e.getCause() instanceof BindException
                    ? "address already in use or not available"
                    : e.getClass().getSimpleName();
            throw new UncheckedIOException(
                    name + " cannot listen on " + config.host() + ":" + port
                            + " (" + why + "); change " + portKey + " or portcullis.server.host", e);
        }
    }

    /** Sets what the health service reports for the whole server and each of its services. */
    @Override
    public void setServing(boolean serving) {
        ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        serviceNames.forEach(service -> health.setStatus(service, status));
    }

    /** The bound TCP port (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /** The bound plaintext health-only port (after {@link #start()}), when one is configured. */
    public OptionalInt healthPort() {
        return healthServer.isPresent()
                ? OptionalInt.of(((InetSocketAddress) healthServer.get().getListenSockets().get(0)).getPort())
                : OptionalInt.empty();
    }

    /** Blocks until the server has terminated. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Stops accepting calls, lets live calls finish within the shutdown grace, then cuts them. */
    @Override
    public void close() {
        health.enterTerminalState();
        // probes see NOT_SERVING until the main server has drained, then the port closes
        server.shutdown();
        try {
            if (!server.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        healthServer.ifPresent(Server::shutdownNow);
        log.atInfo().addKeyValue("service", name).log("server.stopped");
    }
}
