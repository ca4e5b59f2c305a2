package dev.portcullis.cli.health;

import dev.portcullis.cli.ClientEnvironment;
import dev.portcullis.cli.DurationConverter;
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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code portcullis health}: asks each service's grpc.health.v1 over mTLS. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {
            "Checks the health of the suite's services over mTLS (grpc.health.v1).",
            "Addresses and certificate come from PORTCULLIS_{GATEWAY,POLICY,EXECUTOR,AUDIT}_ADDR and",
            "PORTCULLIS_{CA,CERT,KEY}_FILE. Exit status 0 when every service checked is SERVING."})
public final class HealthCommand implements Callable<Integer> {
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

    /** Checks the services and prints one line each; 0 when all are SERVING. */
    public int check(ClientEnvironment environment, PrintWriter out) {
        ChannelCredentials credentials = environment.credentials();
        List<String> names = services.isEmpty() ? List.copyOf(ClientEnvironment.ADDRESS_VARIABLES.keySet()) : services;
        boolean allServing = true;
        for (String name : names) {
            String variable = ClientEnvironment.ADDRESS_VARIABLES.get(name);
            if (variable == null) {
                throw new IllegalArgumentException("unknown service '" + name + "'; choose from " + ClientEnvironment.ADDRESS_VARIABLES.keySet());
            }
            String address = environment.address(name)
                    .orElseThrow(() -> new IllegalStateException(variable + " is not set"));
            String status = status(address, credentials);
            allServing &= status.equals("SERVING");
            out.printf("%-9s %-22s %s%n", name, address, status);
        }
        out.flush();
        return allServing ? 0 : 1;
    }

    private String status(String address, ChannelCredentials credentials) {
        ManagedChannel channel = Grpc.newChannelBuilder(address, credentials).build();
        try {
            return HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance())
                    .getStatus().name();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription());
        } finally {
            channel.shutdownNow();
        }
    }
}
