package dev.portcullis.cli;

import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.ListRunsResponse;
import io.grpc.Grpc;
import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The training run the {@code portcullis} launcher makes once per build, under
 * {@code -XX:ArchiveClassesAtExit}, for the CLI's class-data sharing archive: {@code portcullis
 * runs list} over mTLS against a throw-away loopback server with a throw-away PKI, so the archive
 * holds what a command that calls a service loads (gRPC, Netty, TLS, protobuf, the CLI's own
 * classes). The server answers an empty list and is no Portcullis service: nothing here is a check
 * of anything. Writes nothing outside a temporary directory, which it deletes.
 */
public final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) throws Exception {
        Portcullis.loggingFor("runs", "list"); // as the command it trains for, from the start
        train();
    }

    /**
     * The training run.
     *
     * @throws IllegalStateException when the command did not succeed, with what it printed
     */
    static void train() throws Exception {
        Path dir = Files.createTempDirectory("portcullis-cds-");
        try {
            DevPki pki = new DevPki(dir.resolve("pki"));
            pki.init(Clock.systemUTC());
            String gateway = DevPki.Member.GATEWAY.fileName();
            Server server = Grpc.newServerBuilderForPort(0, TlsServerCredentials.newBuilder()
                            .keyManager(pki.certFile(gateway).toFile(), pki.keyFile(gateway).toFile())
                            .trustManager(pki.caFile().toFile())
                            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build())
                    .addService(new EmptyRuns()).build().start();
            try {
                String ci = DevPki.Member.CI.fileName();
                String[] command = {"runs", "list", "--gateway-addr", "localhost:" + server.getPort(),
                    "--ca-file", pki.caFile().toString(), "--cert-file", pki.certFile(ci).toString(),
                    "--key-file", pki.keyFile(ci).toString()};
                CommandLine cli = Portcullis.commandLine(command);
                StringWriter output = new StringWriter();
                cli.setOut(new PrintWriter(output));
                cli.setErr(new PrintWriter(output));
                int status = cli.execute(command);
                if (status != 0) {
                    throw new IllegalStateException("the class-data training run ended with exit status " + status + ": " + output);
                }
            } finally {
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** An empty page of runs for every {@code ListRuns}. */
    private static final class EmptyRuns extends GatewayServiceGrpc.GatewayServiceImplBase {
        @Override
        public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
            response.onNext(ListRunsResponse.getDefaultInstance());
            response.onCompleted();
        }
    }
}
