package dev.portcullis.runtime.transport;

import io.grpc.netty.shaded.io.netty.handler.ssl.NotSslRecordException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslClosedEngineException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Why the server ended a TLS handshake whose client certificate it never checked, as an audit
 * reason and a few fixed words ({@code problem}). The engines (BoringSSL, the JDK's) say it only
 * in their messages, which are read here for known markers and never passed on. A refused
 * certificate is {@code CERTIFICATE_REJECTED}, noted by {@link NotingClientTrust}, not this.
 *
 * @param reason the audit reason, UPPER_SNAKE
 * @param problem what went wrong, from a closed set of phrases
 */
record HandshakeFailure(String reason, String problem) {
    static final String NO_CLIENT_CERTIFICATE = "NO_CLIENT_CERTIFICATE";
    static final String NOT_TLS = "NOT_TLS";
    static final String HANDSHAKE_FAILED = "HANDSHAKE_FAILED";

    // BoringSSL's PEER_DID_NOT_RETURN_A_CERTIFICATE, the JDK's "Empty client certificate chain"
    private static final List<String> NO_CERTIFICATE_MARKERS =
            List.of("peer_did_not_return_a_certificate", "empty client certificate chain");
    // alerts the client may end a handshake with; BoringSSL writes TLSV1_ALERT_UNKNOWN_CA, the JDK "fatal alert: unknown_ca"
    private static final List<String> ALERTS = List.of("unknown_ca", "bad_certificate", "certificate_unknown",
            "certificate_expired", "certificate_revoked", "unsupported_certificate", "protocol_version",
            "handshake_failure", "insufficient_security", "no_application_protocol", "illegal_parameter",
            "decode_error", "decrypt_error", "unexpected_message", "access_denied", "internal_error");
    // the server found nothing to agree on
    private static final List<String> NOTHING_IN_COMMON_MARKERS = List.of("no_shared_cipher", "no cipher suites in common",
            "unsupported_protocol", "no appropriate protocol", "no_application_protocol", "client requested protocol");

    /**
     * The failure behind {@code cause}; empty when the peer went away (closed the connection, or
     * let it time out) rather than being refused: a port scan or a load balancer's TCP check is
     * no failed authentication.
     */
    static Optional<HandshakeFailure> of(Throwable cause) {
        SSLException tls = null;
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof SslHandshakeTimeoutException || c instanceof SslClosedEngineException) {
                return Optional.empty();
            }
            if (c instanceof NotSslRecordException) {
                return Optional.of(new HandshakeFailure(NOT_TLS, "not TLS: plaintext or other bytes"));
            }
            if (tls == null && c instanceof SSLException ssl) {
                tls = ssl;
            }
        }
        if (tls == null) {
            // ClosedChannelException, a reset: nothing was refused
            return cause instanceof IOException
                    ? Optional.empty()
                    : Optional.of(new HandshakeFailure(HANDSHAKE_FAILED, "TLS handshake failed"));
        }
        String message = messages(tls);
        if (NO_CERTIFICATE_MARKERS.stream().anyMatch(message::contains)) {
            return Optional.of(new HandshakeFailure(NO_CLIENT_CERTIFICATE, "no client certificate"));
        }
        if (message.contains("closed") && !message.contains("alert")) {
            return Optional.empty();
        }
        if (message.contains("alert")) {
            for (String alert : ALERTS) {
                if (message.contains(alert)) {
                    return Optional.of(new HandshakeFailure(HANDSHAKE_FAILED, "the client sent alert " + alert));
                }
            }
        }
        if (NOTHING_IN_COMMON_MARKERS.stream().anyMatch(message::contains)) {
            return Optional.of(new HandshakeFailure(HANDSHAKE_FAILED, "no TLS version, cipher or protocol in common"));
        }
        return Optional.of(new HandshakeFailure(HANDSHAKE_FAILED, "TLS handshake failed"));
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                all.append(c.getMessage().toLowerCase(Locale.ROOT)).append('\n');
            }
        }
        return all.toString();
    }
}
