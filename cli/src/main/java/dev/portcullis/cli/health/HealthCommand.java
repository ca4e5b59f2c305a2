package dev.portcullis.cli.health;

import dev.portcullis.cli.ClientEnvironment;
import dev.portcullis.cli.DurationConverter;
import dev.portcullis.cli.ExitStatus;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
                + " database, catalog, audit outbox or task backend. A service that runs but is not ready says so;"
                + " its log names the failing check (health.check_failed).",
            "Addresses and certificate come from PORTCULLIS_{GATEWAY,POLICY,EXECUTOR,AUDIT}_ADDR and"
                + " PORTCULLIS_{CA,CERT,KEY}_FILE."})
public final class HealthCommand implements Callable<Integer> {
    private static final String SERVING = "SERVING";
    private static final String NOT_SERVING = "NOT_SERVING";
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
     * the chart's readiness probe ask), then, when it is not SERVING, whether the process runs at
     * all. {@link ExitStatus#SUCCESS} when every service checked is SERVING, else {@link ExitStatus#UNHEALTHY}.
     */
    public int check(ClientEnvironment environment, PrintWriter out) {
        ChannelCredentials credentials = environment.credentials();
        List<String> names = services.isEmpty() ? List.copyOf(ClientEnvironment.ADDRESS_VARIABLES.keySet()) : services;
        boolean allServing = true;
        for (String name : names) {
            String variable = ClientEnvironment.ADDRESS_VARIABLES.get(name);
            if (variable == null) {
                throw new ParameterException(spec.commandLine(),
                        "--service: unknown service '" + name + "'; choose from " + ClientEnvironment.ADDRESS_VARIABLES.keySet());
            }
            String address = environment.address(name)
                    .orElseThrow(() -> new IllegalStateException(variable + " is not set"));
            ManagedChannel channel = Grpc.newChannelBuilder(address, credentials).build();
            try {
                String ready = status(channel, GRPC_SERVICES.get(name));
                allServing &= ready.equals(SERVING);
                String note = "";
                if (ready.equals(NOT_SERVING)) {
                    note = status(channel, ServiceServer.LIVENESS).equals(SERVING)
                            ? "  (running, not ready: its log names the failing check, health.check_failed)"
                            : "  (shutting down)";
                }
                out.printf("%-9s %-22s %s%s%n", name, address, ready, note);
            } finally {
                channel.shutdownNow();
            }
        }
        out.flush();
        return (allServing ? ExitStatus.SUCCESS : ExitStatus.UNHEALTHY).code();
    }

    private String status(ManagedChannel channel, String service) {
        try {
            return HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build())
                    .getStatus().name();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription());
        }
    }
}
