package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.identity.CertificateIdentity;
import java.net.Socket;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's check of client certificates, with every refusal on the audit record: a
 * certificate the trust bundle does not vouch for (another CA, expired, not yet valid) ends the
 * handshake before any RPC, so no interceptor sees it. The event ({@code auth.failed}, reason
 * {@code CERTIFICATE_REJECTED}) has no actor — nothing was verified — and names what the
 * certificate claimed in attributes marked unverified. The refusal itself is unchanged: the
 * failure is rethrown.
 *
 * <p>Anyone who can open a TCP connection can make such a refusal, so at most
 * {@value #PER_SECOND} are recorded per second; the next recorded one counts those left out
 * ({@code suppressed}). Thread-safe.
 */
final class AuditedClientTrust extends X509ExtendedTrustManager {
    private static final Logger log = LoggerFactory.getLogger(AuditedClientTrust.class);
    static final int PER_SECOND = 20;

    private final X509ExtendedTrustManager delegate;
    private final String service;
    private final AuditRecorder audit;
    private final Clock clock;
    // guarded by this: the current one-second window and what it let through and held back
    private Instant window = Instant.EPOCH;
    private int recordedInWindow;
    private long suppressed;

    AuditedClientTrust(X509ExtendedTrustManager delegate, String service, AuditRecorder audit, Clock clock) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.service = requireNonNull(service, "service is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            refused(chain, e, engine == null ? "" : address(engine.getPeerHost(), engine.getPeerPort()));
            throw e;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            refused(chain, e, socket == null || socket.getInetAddress() == null ? ""
                    : address(socket.getInetAddress().getHostAddress(), socket.getPort()));
            throw e;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            refused(chain, e, "");
            throw e;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    private static String address(String host, int port) {
        return host == null || port < 0 ? "" : CertificateIdentity.printable(host + ":" + port, 128);
    }

    private void refused(X509Certificate[] chain, CertificateException failure, String source) {
        long left;
        synchronized (this) {
            Instant now = clock.instant();
            if (!now.isBefore(window.plus(Duration.ofSeconds(1)))) {
                window = now;
                recordedInWindow = 0;
            }
            if (recordedInWindow >= PER_SECOND) {
                suppressed++;
                return;
            }
            recordedInWindow++;
            left = suppressed;
            suppressed = 0;
        }
        Map<String, String> attributes = new HashMap<>();
        attributes.put("verified", "false");
        attributes.put("problem", problem(failure));
        if (chain != null && chain.length > 0 && chain[0] != null) {
            X509Certificate leaf = chain[0];
            attributes.put("unverified_names", CertificateIdentity.claimedNames(leaf));
            attributes.put("unverified_issuer", CertificateIdentity.printable(leaf.getIssuerX500Principal().getName(), 256));
            attributes.put("serial", leaf.getSerialNumber().toString(16));
        }
        if (left > 0) {
            attributes.put("suppressed", Long.toString(left));
        }
        try {
            audit.record(AuditEvent.builder(service, AuditAction.AUTH_FAILED, clock.instant())
                    .actor("")
                    .resource(new AuditResource("tls", "handshake", "", ""))
                    .outcome(AuditOutcome.DENIED)
                    .reason("CERTIFICATE_REJECTED")
                    .sourceAddress(source)
                    .attributes(attributes)
                    .build());
        } catch (RuntimeException e) {
            // the handshake is refused either way; a full spool is reported by the recorder's health
            log.atError().setCause(e).log("tls.refusal_not_audited");
        }
    }

    /** Why, in a few fixed words: never the JDK's message, which quotes names from the certificate. */
    private static String problem(CertificateException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateExpiredException) {
                return "expired";
            }
            if (cause instanceof CertificateNotYetValidException) {
                return "not yet valid";
            }
            if (cause instanceof CertPathValidatorException path && path.getReason() instanceof CertPathValidatorException.BasicReason reason) {
                switch (reason) {
                    case EXPIRED:
                        return "expired";
                    case NOT_YET_VALID:
                        return "not yet valid";
                    case REVOKED:
                        return "revoked";
                    default:
                        break;
                }
            }
        }
        return "not issued by a trusted CA";
    }
}
