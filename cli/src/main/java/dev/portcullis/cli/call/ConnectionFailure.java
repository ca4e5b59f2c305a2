package dev.portcullis.cli.call;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateRevokedException;
import java.security.cert.PKIXReason;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * A call that never reached the service, explained: which service at which address, what went
 * wrong, and what to do. This class alone classifies transport failures, from the exception
 * causes grpc-java attaches to a status (a refused connection, an unknown host, our trust
 * manager's verdict on the server's certificate, the TLS alert the server sent about ours).
 *
 * <p>The channels of {@link ClientTls#channel(Endpoint)} replace such a status by one carrying
 * this exception as its cause and the explanation as its description: an unreachable service, or
 * a handshake that ended without a verdict (the connection closed mid-handshake), stays
 * {@code UNAVAILABLE} (a restart may cure it, so the run commands retry); a definite verdict on a
 * certificate (ours refused by the server's TLS alert, the server's refused by our trust manager,
 * our key not matching) becomes {@code UNAUTHENTICATED} (no retry cures a certificate, so none is made).
 */
public final class ConnectionFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final String DEV_ENV = "`" + ClientEnvironment.DEV_ENV_COMMAND + "`";
    // "Received fatal alert: certificate_unknown" (JDK), "SSLV3_ALERT_CERTIFICATE_EXPIRED" (BoringSSL)
    private static final Pattern ALERT = Pattern.compile("alert[:_ ]+\\s*([a-z0-9_]+)");
    /** Alerts by which a peer judges our certificate: definite verdicts, which no retry changes. */
    private static final Set<String> CERTIFICATE_ALERTS = Set.of("bad_certificate", "unsupported_certificate",
            "certificate_revoked", "certificate_expired", "certificate_unknown", "certificate_required", "unknown_ca",
            "access_denied");
    /**
     * The alert our own servers send when their trust manager rejects a client certificate: Netty
     * maps the rejection (a bare CertificateException, no verify error code) to
     * X509_V_ERR_UNSPECIFIED, which BoringSSL reports as internal_error. A server that merely
     * closes the connection (restarting, a dropped proxy connection) sends no alert at all.
     */
    private static final String REFUSAL_BY_OUR_SERVERS = "internal_error";
    // Netty: "Connection closed while SSL/TLS handshake was in progress";
    // grpc-netty: "Connection closed while performing TLS negotiation"
    private static final Pattern CLOSED_DURING_HANDSHAKE =
            Pattern.compile("(?i)closed while (.*handshake|performing TLS negotiation)");

    /** What went wrong, as far as the causes tell. */
    public enum Kind {
        /** Nothing answered: connection refused, unknown host, no route, or no connection in time. */
        UNREACHABLE,
        /**
         * We refused the service's certificate: not from a CA in our bundle, expired, not yet valid,
         * revoked, or naming another host.
         */
        SERVER_NOT_TRUSTED,
        /** The service refused our certificate (it sent a TLS alert): untrusted issuer, expired, revoked. */
        CERTIFICATE_REFUSED,
        /** Our key does not belong to our certificate. */
        WRONG_KEY,
        /**
         * A handshake that ended without a verdict on either certificate: the connection closed
         * mid-handshake (a restarting service, a dropped proxy connection), or an alert such as
         * handshake_failure or protocol_version. Retryable.
         */
        HANDSHAKE_FAILED
    }

    private final Kind kind;
    private final String reason;
    private final String advice;

    private ConnectionFailure(Kind kind, String headline, String reason, String advice) {
        super(headline + ": " + reason + ". " + advice, null, false, false);
        this.kind = kind;
        this.reason = reason;
        this.advice = advice;
    }

    public Kind kind() {
        return kind;
    }

    /** The cause in a few words, e.g. "connection refused". */
    public String reason() {
        return reason;
    }

    /** The next step, one sentence. */
    public String advice() {
        return advice;
    }

    /** The connection failure {@code failure} carries in its cause chain, if any. */
    public static Optional<ConnectionFailure> in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectionFailure connection) {
                return Optional.of(connection);
            }
        }
        return Optional.empty();
    }

    /** An interceptor that explains, with {@code endpoint} and {@code tls}, every call its channel could not make. */
    static ClientInterceptor explaining(Endpoint endpoint, ClientTls tls) {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(tls, "tls is null");
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                super.onClose(classify(status, endpoint, tls).map(ConnectionFailure::status).orElse(status),
                                        trailers);
                            }
                        }, headers);
                    }
                };
            }
        };
    }

    /** Whether a retry may succeed: nothing answered, or a handshake ended without a verdict on either certificate. */
    public boolean retryable() {
        return kind == Kind.UNREACHABLE || kind == Kind.HANDSHAKE_FAILED;
    }

    private Status status() {
        return (retryable() ? Status.UNAVAILABLE : Status.UNAUTHENTICATED).withDescription(getMessage()).withCause(this);
    }

    /** The explanation of {@code status}, when its causes show the call never reached the service. */
    static Optional<ConnectionFailure> classify(Status status, Endpoint endpoint, ClientTls tls) {
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED && status.getCause() == null
                && String.valueOf(status.getDescription()).contains("waiting_for_connection")) {
            return Optional.of(unreachable(endpoint, "no connection within the deadline"));
        }
        if (status.getCode() != Status.Code.UNAVAILABLE) {
            return Optional.empty(); // the service answered; its own status says why
        }
        // grpc-netty's description when the peer closes before the handshake ends, whatever the cause
        boolean closed = CLOSED_DURING_HANDSHAKE.matcher(String.valueOf(status.getDescription())).find();
        String alert = null;
        boolean ssl = false;
        // our trust manager's verdict on the server's certificate, the most specific cause winning:
        // it may be wrapped in a more general one
        ServerVerdict verdict = ServerVerdict.NONE;
        for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof UnknownHostException) {
                return Optional.of(unreachable(endpoint, "unknown host"));
            }
            if (t instanceof NoRouteToHostException) {
                return Optional.of(unreachable(endpoint, "no route to host"));
            }
            if (t instanceof SocketTimeoutException || t.getClass().getSimpleName().equals("ConnectTimeoutException")) {
                return Optional.of(unreachable(endpoint, "timed out connecting"));
            }
            if (t instanceof ConnectException) {
                return Optional.of(unreachable(endpoint, message.contains("refused") ? "connection refused" : "cannot connect"));
            }
            if (message.contains("key_values_mismatch")) {
                return Optional.of(wrongKey(endpoint, tls));
            }
            ServerVerdict found = ServerVerdict.of(t, message);
            if (found.compareTo(verdict) > 0) {
                verdict = found;
            }
            Matcher matcher = ALERT.matcher(message);
            if (alert == null && matcher.find()) {
                alert = matcher.group(1);
            }
            ssl |= t instanceof SSLException;
            closed |= CLOSED_DURING_HANDSHAKE.matcher(message).find();
        }
        if (verdict != ServerVerdict.NONE) {
            return Optional.of(serverNotTrusted(endpoint, tls, verdict));
        }
        if (alert != null && (CERTIFICATE_ALERTS.contains(alert) || alert.equals(REFUSAL_BY_OUR_SERVERS))) {
            return Optional.of(certificateRefused(endpoint, tls, alert));
        }
        if (alert != null && ssl) {
            return Optional.of(handshakeFailed(endpoint, "it ended the handshake with TLS alert " + alert));
        }
        if (closed) {
            return Optional.of(handshakeFailed(endpoint, "the connection closed during the handshake"));
        }
        if (ssl) {
            return Optional.of(handshakeFailed(endpoint, CallFailure.oneLine(innermostMessage(status.getCause()))));
        }
        return Optional.empty();
    }

    private static ConnectionFailure handshakeFailed(Endpoint endpoint, String reason) {
        return new ConnectionFailure(Kind.HANDSHAKE_FAILED, "TLS handshake with the " + endpoint.service() + " at "
                + endpoint.address() + " failed", reason, "It may be restarting, or a proxy dropped the connection; if"
                        + " this persists, check that " + endpoint.variable() + " names a Portcullis service and that "
                        + ClientTls.CA_VARIABLE + ", " + ClientTls.CERT_VARIABLE + " and " + ClientTls.KEY_VARIABLE
                        + " belong to its suite");
    }

    /**
     * Our trust manager's verdict on the server's certificate, least to most specific: a later
     * constant wins over an earlier one found in the same cause chain.
     */
    private enum ServerVerdict {
        NONE,
        UNTRUSTED,
        OTHER_HOST,
        FOREIGN_ISSUER,
        REVOKED,
        NOT_YET_VALID,
        EXPIRED;

        static ServerVerdict of(Throwable t, String message) {
            if (t instanceof CertificateExpiredException) {
                return EXPIRED;
            }
            if (t instanceof CertificateNotYetValidException) {
                return NOT_YET_VALID;
            }
            if (t instanceof CertificateRevokedException) {
                return REVOKED;
            }
            if (t instanceof CertPathValidatorException path) {
                if (path.getReason() instanceof CertPathValidatorException.BasicReason reason) {
                    return switch (reason) {
                        case EXPIRED -> EXPIRED;
                        case NOT_YET_VALID -> NOT_YET_VALID;
                        case REVOKED -> REVOKED;
                        case UNDETERMINED_REVOCATION_STATUS, INVALID_SIGNATURE, ALGORITHM_CONSTRAINED, UNSPECIFIED -> UNTRUSTED;
                    };
                }
                return path.getReason() == PKIXReason.NO_TRUST_ANCHOR ? FOREIGN_ISSUER : UNTRUSTED;
            }
            if (t instanceof CertPathBuilderException) {
                return FOREIGN_ISSUER; // no chain from the certificate to an anchor in our bundle
            }
            if (t instanceof CertificateException) {
                return message.contains("subject alternative") || message.contains("no name matching") ? OTHER_HOST : UNTRUSTED;
            }
            return NONE;
        }
    }

    private static ConnectionFailure unreachable(Endpoint endpoint, String reason) {
        String advice = endpoint.isLoopback()
                ? "Is the suite running? Start it with `./portcullis dev` in another terminal, then run " + DEV_ENV
                        + " here so that the addresses match"
                : "Check " + endpoint.variable() + ", that the " + endpoint.service() + " runs, and that this machine may reach it";
        return new ConnectionFailure(Kind.UNREACHABLE, "cannot reach the " + endpoint.service() + " at " + endpoint.address()
                + " (" + endpoint.variable() + ")", reason, advice);
    }

    private static ConnectionFailure serverNotTrusted(Endpoint endpoint, ClientTls tls, ServerVerdict verdict) {
        String trustAdvice = "Point " + ClientTls.CA_VARIABLE + " at the CA bundle of the suite you call (for the dev suite:"
                + " run " + DEV_ENV + ")";
        String renewAdvice = "Its operator must renew it (for the dev suite: restart `./portcullis dev`)";
        String reason = switch (verdict) {
            case EXPIRED -> "its certificate has expired";
            case NOT_YET_VALID -> "its certificate is not valid yet";
            case REVOKED -> "its certificate is revoked";
            case FOREIGN_ISSUER -> "its certificate is not issued by a CA in " + tls.caFileNamed();
            case OTHER_HOST -> "its certificate does not name the host in " + endpoint.variable() + " ("
                    + endpoint.address() + ")";
            case UNTRUSTED, NONE -> "its certificate is not trusted by " + tls.caFileNamed();
        };
        String advice = switch (verdict) {
            case EXPIRED, REVOKED -> renewAdvice;
            case NOT_YET_VALID -> "Check this machine's clock and the server's; if both are right, wait until the"
                    + " certificate's start or have its operator re-issue it";
            case OTHER_HOST -> "Call it by a name its certificate lists (for the dev suite: localhost)";
            case FOREIGN_ISSUER, UNTRUSTED, NONE -> trustAdvice;
        };
        return new ConnectionFailure(Kind.SERVER_NOT_TRUSTED, "we refused the certificate of the " + endpoint.service()
                + " at " + endpoint.address(), reason, advice);
    }

    private static ConnectionFailure certificateRefused(Endpoint endpoint, ClientTls tls, String alert) {
        if (!tls.presentsCertificate()) {
            return new ConnectionFailure(Kind.CERTIFICATE_REFUSED, "the " + endpoint.service() + " at " + endpoint.address()
                    + " requires a client certificate", "we sent an identity token and no certificate (TLS alert " + alert + ")",
                    "Only a gateway with OIDC issuers configured (docs/oidc.md) accepts a token without a certificate:"
                            + " check the address, or also give --cert-file and --key-file");
        }
        String reason = switch (alert) {
            case "certificate_expired" -> "it says our certificate has expired (TLS alert " + alert + ")";
            case "certificate_revoked" -> "it says our certificate is revoked (TLS alert " + alert + ")";
            case "certificate_required" -> "it requires a client certificate (TLS alert " + alert + ")";
            case "access_denied" -> "it denies our certificate access (TLS alert " + alert + ")";
            case REFUSAL_BY_OUR_SERVERS -> "it does not trust our certificate's issuer, or the certificate is expired or"
                    + " revoked (TLS alert " + alert + ", which is how a Portcullis service, on Netty with BoringSSL,"
                    + " refuses a client certificate its trust bundle rejects)";
            default -> "it does not trust our certificate's issuer, or the certificate is expired or revoked (TLS alert "
                    + alert + ")";
        };
        String advice = "Present a current certificate from a CA the " + endpoint.service() + " trusts (ours, in "
                + tls.certFileNamed() + ", is issued by " + tls.issuer() + "): for the dev suite, use the files"
                + " `./portcullis dev` wrote (run " + DEV_ENV + "), or issue one with `./portcullis pki issue"
                + " .portcullis/pki --name NAME --id SPIFFE_ID`";
        return new ConnectionFailure(Kind.CERTIFICATE_REFUSED, "the " + endpoint.service() + " at " + endpoint.address()
                + " refused our certificate", reason, advice);
    }

    private static ConnectionFailure wrongKey(Endpoint endpoint, ClientTls tls) {
        return new ConnectionFailure(Kind.WRONG_KEY, "cannot present our certificate to the " + endpoint.service() + " at "
                + endpoint.address(), "the key in " + tls.keyFileNamed() + " does not belong to the certificate in "
                + tls.certFileNamed(), "Point " + ClientTls.KEY_VARIABLE + " at the key issued with this certificate");
    }

    private static String innermostMessage(Throwable failure) {
        String message = failure.getClass().getSimpleName();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message;
    }
}
