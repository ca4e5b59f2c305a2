package dev.portcullis.runtime.transport;

import static dev.portcullis.runtime.testing.TestPki.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestPki;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flood of refused handshakes cannot flood the audit outbox. */
class AuditedClientTrustTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-23T10:00:00Z"));
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();

    @Test
    void atMostTwentyRefusalsASecondAreRecordedAndTheNextCountsTheRest() {
        X509Certificate[] chain = {TestPki.create(dir).issue("x", id("ci/x")).issued().certificate()};
        AuditedClientTrust trust = new AuditedClientTrust(new Refusing(), "gateway", audit, clock);

        for (int i = 0; i < 25; i++) {
            assertThrows(CertificateException.class, () -> trust.checkClientTrusted(chain, "EC", (SSLEngine) null));
        }
        clock.advance(Duration.ofSeconds(1));
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(chain, "EC", (SSLEngine) null));

        assertEquals(AuditedClientTrust.PER_SECOND + 1, audit.events().size());
        assertFalse(audit.events().get(AuditedClientTrust.PER_SECOND - 1).attributes().containsKey("suppressed"));
        assertEquals("5", audit.events().get(AuditedClientTrust.PER_SECOND).attributes().get("suppressed"));
    }

    /** The bundle's verdict on every chain: no. */
    private static final class Refusing extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("untrusted");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("untrusted");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("untrusted");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
