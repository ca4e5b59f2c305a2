package dev.portcullis.cli.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.portcullis.cli.CliRun;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.GatewayServiceGrpc;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The CLI's identity token reaches a gateway as {@code authorization: Bearer …}: an in-test gRPC
 * server over TLS (client certificate optional) records what each call carried. The token's text
 * appears in nothing the CLI printed or logged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdTokenBearerTest {
    private static final String A_RUN = "0b7e3c1a-2f4d-4e5a-9b6c-7d8e9f0a1b2c";
    private static final String JWT = IdTokenTest.JWT;

    @TempDir
    static Path dir;

    private TestPki pki;
    private TestPki.Credential client;
    private Server server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<Boolean> withCertificate = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        TestPki.Credential serverCredential = pki.issue("gateway", TestPki.id("gateway"));
        client = pki.issue("ci", TestPki.id("ci"));
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                String authorization = headers.get(IdToken.AUTHORIZATION);
                authorizations.add(authorization == null ? "" : authorization);
                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                boolean certificate;
                try {
                    certificate = session != null && session.getPeerCertificates().length > 0;
                } catch (SSLPeerUnverifiedException e) {
                    certificate = false;
                }
                withCertificate.add(certificate);
                return next.startCall(call, headers);
            }
        };
        TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder()
                .keyManager(serverCredential.certFile().toFile(), serverCredential.keyFile().toFile())
                .trustManager(pki.caFile().toFile())
                .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
        server = Grpc.newServerBuilderForPort(0, tls.build())
                .addService(ServerInterceptors.intercept(new GatewayServiceGrpc.GatewayServiceImplBase() {}, capture))
                .build()
                .start();
    }

    @AfterAll
    void stop() {
        server.shutdownNow();
    }

    @BeforeEach
    void forget() {
        authorizations.clear();
        withCertificate.clear();
    }

    private String address() {
        return "localhost:" + server.getPort();
    }

    /** What one CLI run printed and logged, through logback and java.util.logging. */
    private String run(String... args) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        List<String> julLogged = new CopyOnWriteArrayList<>();
        Handler jul = new Handler() {
            @Override
            public void publish(LogRecord record) {
                julLogged.add(record.getMessage() + " " + record.getThrown());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
        julRoot.addHandler(jul);
        CliRun cli = new CliRun();
        int exit;
        try {
            exit = cli.execute(args);
        } finally {
            root.detachAppender(logged);
            julRoot.removeHandler(jul);
        }
        cli.assertNoStackTrace();
        assertNotEquals(0, exit, "the in-test gateway implements nothing");
        return cli.out() + cli.err() + logged.list.stream().map(e -> e.getFormattedMessage() + " " + e.getThrowableProxy())
                .collect(Collectors.joining("\n")) + String.join("\n", julLogged);
    }

    @Test
    void aTokenFileAloneReachesTheGatewayAsABearerTokenWithoutACertificate() throws Exception {
        Path token = Files.writeString(dir.resolve("id-token"), JWT + "\n");
        String printed = run("runs", "show", A_RUN, "--gateway-addr", address(), "--ca-file", pki.caFile().toString(),
                "--id-token-file", token.toString());
        assertEquals(List.of("Bearer " + JWT), authorizations);
        assertEquals(List.of(false), withCertificate);
        assertFalse(printed.contains(JWT), printed);
        assertFalse(printed.contains(JWT.substring(JWT.lastIndexOf('.') + 1)), printed);
    }

    @Test
    void withACertificateToo_bothAreSent() throws Exception {
        Path token = Files.writeString(dir.resolve("id-token-2"), JWT);
        String printed = run("runs", "show", A_RUN, "--gateway-addr", address(), "--ca-file", pki.caFile().toString(),
                "--cert-file", client.certFile().toString(), "--key-file", client.keyFile().toString(),
                "--id-token-file", token.toString());
        assertEquals(List.of("Bearer " + JWT), authorizations);
        assertEquals(List.of(true), withCertificate);
        assertFalse(printed.contains(JWT), printed);
    }

    @Test
    void withoutATokenNoAuthorizationIsSent() {
        run("runs", "show", A_RUN, "--gateway-addr", address(), "--ca-file", pki.caFile().toString(),
                "--cert-file", client.certFile().toString(), "--key-file", client.keyFile().toString());
        assertEquals(List.of(""), authorizations);
        assertEquals(List.of(true), withCertificate);
    }

    @Test
    void aFileThatIsNotAJwtIsRefusedBeforeAnyConnection() throws Exception {
        Path token = Files.writeString(dir.resolve("not-a-jwt"), "hunter2-secret");
        String printed = run("runs", "show", A_RUN, "--gateway-addr", address(), "--ca-file", pki.caFile().toString(),
                "--id-token-file", token.toString());
        assertTrue(authorizations.isEmpty(), "no call was made");
        assertTrue(printed.contains("--id-token-file (" + token + ") does not hold a JWT"), printed);
        assertFalse(printed.contains("hunter2-secret"), printed);
    }
}
