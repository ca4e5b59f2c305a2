package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditResource;
import java.net.SocketAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every TLS handshake a server ends, on the audit record: {@code auth.failed} with no actor
 * (nothing was verified), the peer's address, the failure as the reason
 * ({@code CERTIFICATE_REJECTED}, {@code NO_CLIENT_CERTIFICATE}, {@code NOT_TLS},
 * {@code HANDSHAKE_FAILED}; see {@link HandshakeFailure}) and, for a refused certificate, what it
 * claimed, marked unverified ({@link PresentedCertificate}). A peer that merely goes away is not
 * recorded.
 *
 * <p>Anyone who can open a TCP connection can provoke these, so they are held to the server's
 * {@link RefusalBudget}: a flood neither fills the outbox nor goes unseen ({@code suppressed}).
 * Thread-safe: notes come from the TLS engine, failures from the connection's event loop.
 */
final class HandshakeRefusals {
    private static final Logger log = LoggerFactory.getLogger(HandshakeRefusals.class);

    private final String service;
    private final AuditRecorder audit;
    private final Clock clock;
    private final RefusalBudget budget;
    // what each refused handshake presented, until its failure is recorded; weak, so an engine
    // that never reports its failure takes its note with it
    private final Map<SSLEngine, PresentedCertificate> presented = Collections.synchronizedMap(new WeakHashMap<>());

    HandshakeRefusals(String service, AuditRecorder audit, Clock clock, RefusalBudget budget) {
        this.service = requireNonNull(service, "service is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.budget = requireNonNull(budget, "budget is null");
    }

    /** The trust bundle refused {@code leaf}, presented on {@code engine}'s handshake, which now fails. */
    void chainRefused(SSLEngine engine, X509Certificate leaf, CertificateException failure) {
        presented.put(engine, PresentedCertificate.of(leaf, failure));
    }

    /** The handshake on {@code engine} with the peer at {@code remote} failed with {@code cause}. */
    void handshakeFailed(SocketAddress remote, SSLEngine engine, Throwable cause) {
        Optional<PresentedCertificate> certificate = Optional.ofNullable(presented.remove(engine));
        Map<String, String> attributes = new TreeMap<>();
        String reason;
        if (certificate.isPresent()) {
            attributes.putAll(certificate.get().attributes());
            reason = "CERTIFICATE_REJECTED";
        } else {
            Optional<HandshakeFailure> failure = HandshakeFailure.of(cause);
            if (failure.isEmpty()) {
                return;
            }
            attributes.put("verified", "false");
            attributes.put("problem", failure.get().problem());
            reason = failure.get().reason();
        }
        OptionalLong left = budget.take();
        if (left.isEmpty()) {
            return;
        }
        if (left.getAsLong() > 0) {
            attributes.put("suppressed", Long.toString(left.getAsLong()));
        }
        try {
            audit.record(AuditEvent.builder(service, AuditAction.AUTH_FAILED, clock.instant())
                    .actor("")
                    .resource(new AuditResource("tls", "handshake", "", ""))
                    .outcome(AuditOutcome.DENIED)
                    .reason(reason)
                    .sourceAddress(RemoteAddress.printable(remote))
                    .attributes(attributes)
                    .build());
        } catch (RuntimeException e) {
            // the handshake is refused either way; a full spool is reported by the recorder's health
            log.atError().setCause(e).log("tls.refusal_not_audited");
        }
    }
}
