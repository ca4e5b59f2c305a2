package dev.portcullis.cli.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import io.grpc.Status;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.PKIXReason;
import java.time.Clock;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How transport failures are classified, from the causes grpc-java attaches to a status: which
 * ones are definite verdicts on a certificate (never retried) and which a retry may cure.
 */
class ConnectionFailureTest {
    private static final Endpoint GATEWAY = Endpoint.of("gateway", "gateway.example:8443");

    @TempDir
    static Path dir;

    private static ClientTls tls;

    @BeforeAll
    static void loadTls() {
        TestPki.Credential ci = TestPki.create(dir).issue("ci", TestIdentity.CI.id());
        tls = ClientTls.load(ci.caFile(), ci.certFile(), ci.keyFile(), Clock.systemUTC());
    }

    private static ConnectionFailure classify(Throwable cause) {
        return ConnectionFailure.classify(Status.UNAVAILABLE.withCause(cause), GATEWAY, tls).orElseThrow();
    }

    /** As the JDK's trust manager reports a path that failed validation, inside Netty's handshake exception. */
    private static Throwable serverCertificateRefused(Throwable verdict) {
        return new SSLHandshakeException("error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED")
                .initCause(new CertificateException("PKIX path validation failed", verdict));
    }

    private static CertPathValidatorException validation(CertPathValidatorException.Reason reason) {
        return new CertPathValidatorException("validity check failed", null, null, -1, reason);
    }

    @Test
    void aConnectionClosedDuringTheHandshakeIsRetryableAndNamesTheAddress() {
        ConnectionFailure failure = classify(new SSLHandshakeException(
                "Connection closed while SSL/TLS handshake was in progress").initCause(new ClosedChannelException()));

        assertEquals(ConnectionFailure.Kind.HANDSHAKE_FAILED, failure.kind());
        assertTrue(failure.retryable());
        assertEquals("TLS handshake with the gateway at gateway.example:8443 failed: the connection closed during the"
                + " handshake. " + failure.advice(), failure.getMessage());
    }

    @Test
    void grpcNettysClosedNegotiationWithoutACauseIsRetryable() {
        ConnectionFailure failure = ConnectionFailure.classify(
                Status.UNAVAILABLE.withDescription("Connection closed while performing TLS negotiation"), GATEWAY, tls)
                .orElseThrow();

        assertEquals(ConnectionFailure.Kind.HANDSHAKE_FAILED, failure.kind());
        assertTrue(failure.retryable());
    }

    @Test
    void aHandshakeFailureAlertIsRetryable() {
        ConnectionFailure failure = classify(new SSLHandshakeException(
                "error:10000410:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE"));

        assertTrue(failure.retryable());
        assertEquals("it ended the handshake with TLS alert handshake_failure", failure.reason());
    }

    @Test
    void aCertificateAlertIsADefiniteRefusalOfOurCertificate() {
        ConnectionFailure failure = classify(new SSLHandshakeException(
                "error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"));

        assertEquals(ConnectionFailure.Kind.CERTIFICATE_REFUSED, failure.kind());
        assertFalse(failure.retryable());
    }

    @Test
    void anExpiredServerCertificateIsReportedAsExpired() {
        ConnectionFailure failure = classify(serverCertificateRefused(validation(BasicReason.EXPIRED)));

        assertEquals(ConnectionFailure.Kind.SERVER_NOT_TRUSTED, failure.kind());
        assertFalse(failure.retryable());
        assertEquals("its certificate has expired", failure.reason());
    }

    @Test
    void aServerCertificateNotYetValidIsReportedAsSuchWithTheClocksToCheck() {
        ConnectionFailure failure = classify(serverCertificateRefused(validation(BasicReason.NOT_YET_VALID)));

        assertEquals("its certificate is not valid yet", failure.reason());
        assertTrue(failure.advice().startsWith("Check this machine's clock"), failure.advice());
    }

    @Test
    void aRevokedServerCertificateIsReportedAsRevoked() {
        ConnectionFailure failure = classify(serverCertificateRefused(validation(BasicReason.REVOKED)));

        assertEquals("its certificate is revoked", failure.reason());
    }

    @Test
    void aServerCertificateWithoutATrustAnchorIsReportedAsForeign() {
        ConnectionFailure failure = classify(serverCertificateRefused(validation(PKIXReason.NO_TRUST_ANCHOR)));

        assertTrue(failure.reason().startsWith("its certificate is not issued by a CA in PORTCULLIS_CA_FILE"),
                failure.reason());
    }

    @Test
    void aServerCertificateWithNoPathToOurBundleIsReportedAsForeign() {
        ConnectionFailure failure = classify(serverCertificateRefused(
                new CertPathBuilderException("unable to find valid certification path to requested target")));

        assertTrue(failure.reason().startsWith("its certificate is not issued by a CA in PORTCULLIS_CA_FILE"),
                failure.reason());
    }

    @Test
    void aServerCertificateWithABadSignatureIsNotReportedAsForeign() {
        ConnectionFailure failure = classify(serverCertificateRefused(validation(BasicReason.INVALID_SIGNATURE)));

        assertTrue(failure.reason().startsWith("its certificate is not trusted by PORTCULLIS_CA_FILE"), failure.reason());
    }
}
