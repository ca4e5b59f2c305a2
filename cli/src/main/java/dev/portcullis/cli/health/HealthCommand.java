package dev.portcullis.cli.health;

import dev.portcullis.cli.call.CallFailure;
import dev.portcullis.cli.call.ClientEnvironment;
import dev.portcullis.cli.call.ClientTls;
import dev.portcullis.cli.call.ConnectionFailure;
import dev.portcullis.cli.command.DurationConverter;
import dev.portcullis.cli.call.Endpoint;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code portcullis health}: asks each service's grpc.health.v1 over mTLS. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {
            "Checks that the suite's services are up and ready, over mTLS.",
            "Asks each service's grpc.health.v1 for its own service name, which covers what it depends on: its"
                + " database, catalog, audit outbox or task backend. One line each: SERVING; NOT_SERVING (runs, not"
                + " ready: its log names the failing check, health.check_failed); NOT_RUNNING (nothing answers);"
                + " REFUSED_OUR_CERTIFICATE or NOT_TRUSTED_BY_US (the TLS handshake failed on that side).",
            "Addresses and certificate come from PORTCULLIS_{GATEWAY,POLICY,EXECUTOR,AUDIT}_ADDR and"
                + " PORTCULLIS_{CA,CERT,KEY}_FILE."})
public final class HealthCommand implements Callable<Integer> {
    private static final Map<String, String> GRPC_SERVICES = Map.of(
            "gateway", GatewayServiceGrpc.SERVICE_NAME,
            "policy", PolicyServiceGrpc.SERVICE_NAME,
            "executor", ExecutorServiceGrpc.SERVICE_NAME,
            "audit", AuditServiceGrpc.SERVICE_NAME);

    @Spec
    CommandSpec spec;

    @Option(names = "--service", description = "Check only these services (gateway, policy, executor, audit).", split = ",")
    List<String> services = new ArrayList<>();

    @Option(names = "--timeout", description = "Deadline per check (default: ${DEFAULT-VALUE}).", defaultValue = "5s",
            converter = DurationConverter.class)
    Duration timeout;

    @Override
    public Integer call() {
        ClientEnvironment environment = new ClientEnvironment(System.getenv());
        return check(environment, spec.commandLine().getOut());
    }

    /**
     * Checks the services and prints one line each: name, address, and the readiness of the
     * service's own gRPC service ({@code portcullis.v1.GatewayService}, …: what load balancers and
     * the chart's readiness probe ask): SERVING; NOT_SERVING, saying whether the process runs;
     * NOT_RUNNING when nothing answers; REFUSED_OUR_CERTIFICATE or NOT_TRUSTED_BY_US when the TLS
     * handshake fails on either side. What to do about a failure follows the table, once.
     * 0 when every service checked is SERVING.
     *
     * @throws IllegalStateException before any check, when the TLS files cannot be used
     */
    public int check(ClientEnvironment environment, PrintWriter out) {
        List<String> names = services.isEmpty() ? List.copyOf(ClientEnvironment.ADDRESS_VARIABLES.keySet()) : services;
        for (String name : names) {
            if (!ClientEnvironment.ADDRESS_VARIABLES.containsKey(name)) {
                throw new ParameterException(spec.commandLine(),
                        "--service: unknown service '" + name + "'; choose from " + ClientEnvironment.ADDRESS_VARIABLES.keySet());
            }
        }
        ClientTls tls = environment.tls();
        List<Endpoint> endpoints = names.stream()
                .map(name -> Endpoint.of(name, environment.address(name).orElse("")))
                .toList();
        boolean allServing = true;
        boolean anyAnswered = false;
        Map<Endpoint, ConnectionFailure> unreachable = new LinkedHashMap<>();
        Set<String> advice = new LinkedHashSet<>();
        for (Endpoint endpoint : endpoints) {
            ManagedChannel channel = tls.channel(endpoint);
            try {
                String reading;
                try {
                    ServingStatus ready = status(channel, GRPC_SERVICES.get(endpoint.service()));
                    anyAnswered = true;
                    allServing &= ready == ServingStatus.SERVING;
                    reading = ready.name();
                    if (ready == ServingStatus.NOT_SERVING) {
                        reading += running(channel)
                                ? "  (running, not ready: its log names the failing check, health.check_failed)"
                                : "  (shutting down)";
                    }
                } catch (StatusRuntimeException e) {
                    allServing = false;
                    Optional<ConnectionFailure> failure = ConnectionFailure.in(e);
                    if (failure.isPresent() && failure.get().kind() == ConnectionFailure.Kind.UNREACHABLE) {
                        unreachable.put(endpoint, failure.get());
                    } else {
                        failure.ifPresent(f -> advice.add(f.advice()));
                    }
                    reading = failure.map(f -> state(f.kind()) + "  (" + f.reason() + ")")
                            .orElseGet(() -> CallFailure.describe(e));
                }
                out.printf("%-9s %-22s %s%n", endpoint.service(), endpoint.address(), reading);
            } finally {
                channel.shutdownNow();
            }
        }
        if (anyAnswered) {
            // the suite runs: "start ./portcullis dev" would mislead; the address is what is wrong
            unreachable.keySet().forEach(endpoint -> out.printf("Check %s (%s): the other services answer, so the suite runs,"
                    + " but nothing answers there for the %s.%n", endpoint.variable(), endpoint.address(), endpoint.service()));
        } else {
            unreachable.values().forEach(failure -> advice.add(failure.advice()));
        }
        advice.forEach(out::println);
        out.flush();
        return (allServing ? ExitStatus.SUCCESS : ExitStatus.UNHEALTHY).code();
    }

    private static String state(ConnectionFailure.Kind kind) {
        return switch (kind) {
            case UNREACHABLE -> "NOT_RUNNING";
            case CERTIFICATE_REFUSED, WRONG_KEY -> "REFUSED_OUR_CERTIFICATE";
            case SERVER_NOT_TRUSTED -> "NOT_TRUSTED_BY_US";
            case HANDSHAKE_FAILED -> "TLS_FAILED";
        };
    }

    /** Whether the process answers its liveness check: it runs, though its own service may not be ready. */
    private boolean running(ManagedChannel channel) {
        try {
            return status(channel, ServiceServer.LIVENESS) == ServingStatus.SERVING;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    private ServingStatus status(ManagedChannel channel, String service) {
        return HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus();
    }
}
