package dev.portcullis.cli;

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
import java.util.Locale;
import java.util.Optional;
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
 * this exception as its cause and the explanation as its description: an unreachable service
 * stays {@code UNAVAILABLE} (a restart may cure it, so the run commands retry), a refused
 * handshake becomes {@code UNAUTHENTICATED} (no retry cures a certificate, so none is made).
 */
public final class ConnectionFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final String DEV_ENV = "`set -a; . .portcullis/dev.env; set +a`";
    // "Received fatal alert: certificate_unknown" (JDK), "SSLV3_ALERT_CERTIFICATE_EXPIRED" (BoringSSL)
    private static final Pattern ALERT = Pattern.compile("alert[:_ ]+\\s*([a-z0-9_]+)");

    /** What went wrong, as far as the causes tell. */
    public enum Kind {
        /** Nothing answered: connection refused, unknown host, no route, or no connection in time. */
        UNREACHABLE,
        /** We refused the service's certificate: not from a CA in our bundle, expired, or naming another host. */
        SERVER_NOT_TRUSTED,
        /** The service refused our certificate (it sent a TLS alert): untrusted issuer, expired, revoked. */
        CERTIFICATE_REFUSED,
        /** Our key does not belong to our certificate. */
        WRONG_KEY,
        /** Any other TLS failure. */
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

    private Status status() {
        return (kind == Kind.UNREACHABLE ? Status.UNAVAILABLE : Status.UNAUTHENTICATED).withDescription(getMessage())
                .withCause(this);
    }

    /** The explanation of {@code status}, when its causes show the call never reached the service. */
    static Optional<ConnectionFailure> classify(Status status, Endpoint endpoint, ClientTls tls) {
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED && status.getCause() == null
                && String.valueOf(status.getDescription()).contains("waiting_for_connection")) {
            return Optional.of(unreachable(endpoint, "no connection within the deadline"));
        }
        if (status.getCode() != Status.Code.UNAVAILABLE || status.getCause() == null) {
            return Optional.empty(); // the service answered; its own status says why
        }
        String alert = null;
        boolean ssl = false;
        // our trust manager's verdict, the most specific cause winning: it may be wrapped in a more general one
        boolean expired = false;
        boolean foreignIssuer = false;
        boolean otherHost = false;
        boolean untrusted = false;
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
            expired |= t instanceof CertificateExpiredException || (t instanceof CertPathValidatorException path
                    && path.getReason() == CertPathValidatorException.BasicReason.EXPIRED);
            foreignIssuer |= t instanceof CertPathValidatorException || t instanceof CertPathBuilderException;
            otherHost |= t instanceof CertificateException
                    && (message.contains("subject alternative") || message.contains("no name matching"));
            untrusted |= t instanceof CertificateException;
            Matcher matcher = ALERT.matcher(message);
            if (alert == null && matcher.find()) {
                alert = matcher.group(1);
            }
            ssl |= t instanceof SSLException;
        }
        if (expired) {
            return Optional.of(serverNotTrusted(endpoint, "its certificate has expired",
                    "Its operator must renew it (for the dev suite: restart `./portcullis dev`)"));
        }
        String trustAdvice = "Point " + ClientTls.CA_VARIABLE + " at the CA bundle of the suite you call (for the dev suite:"
                + " run " + DEV_ENV + ")";
        if (foreignIssuer) {
            return Optional.of(serverNotTrusted(endpoint, "its certificate is not issued by a CA in " + tls.caFileNamed(),
                    trustAdvice));
        }
        if (otherHost) {
            return Optional.of(serverNotTrusted(endpoint, "its certificate does not name the host in " + endpoint.variable()
                    + " (" + endpoint.address() + ")", "Call it by a name its certificate lists (for the dev suite: localhost)"));
        }
        if (untrusted) {
            return Optional.of(serverNotTrusted(endpoint, "its certificate is not trusted by " + tls.caFileNamed(), trustAdvice));
        }
        if (alert != null) {
            return Optional.of(certificateRefused(endpoint, tls, alert));
        }
        if (ssl) {
            return Optional.of(new ConnectionFailure(Kind.HANDSHAKE_FAILED, "TLS handshake with the " + endpoint.service()
                    + " at " + endpoint.address() + " failed", CallFailure.oneLine(innermostMessage(status.getCause())),
                    "Check that " + endpoint.variable() + " names a Portcullis service and that " + ClientTls.CA_VARIABLE
                            + ", " + ClientTls.CERT_VARIABLE + " and " + ClientTls.KEY_VARIABLE + " belong to its suite"));
        }
        return Optional.empty();
    }

    private static ConnectionFailure unreachable(Endpoint endpoint, String reason) {
        String advice = endpoint.isLoopback()
                ? "Is the suite running? Start it with `./portcullis dev` in another terminal, then run " + DEV_ENV
                        + " here so that the addresses match"
                : "Check " + endpoint.variable() + ", that the " + endpoint.service() + " runs, and that this machine may reach it";
        return new ConnectionFailure(Kind.UNREACHABLE, "cannot reach the " + endpoint.service() + " at " + endpoint.address()
                + " (" + endpoint.variable() + ")", reason, advice);
    }

    private static ConnectionFailure serverNotTrusted(Endpoint endpoint, String reason, String advice) {
        return new ConnectionFailure(Kind.SERVER_NOT_TRUSTED, "we refused the certificate of the " + endpoint.service() + " at "
                + endpoint.address(), reason, advice);
    }

    private static ConnectionFailure certificateRefused(Endpoint endpoint, ClientTls tls, String alert) {
        String reason = switch (alert) {
            case "certificate_expired" -> "it says our certificate has expired (TLS alert " + alert + ")";
            case "certificate_revoked" -> "it says our certificate is revoked (TLS alert " + alert + ")";
            case "decrypt_error" -> "our key did not prove the certificate (TLS alert " + alert + ")";
            default -> "it does not trust our certificate's issuer, or the certificate is expired or revoked (TLS alert "
                    + alert + ")";
        };
        String advice = alert.equals("decrypt_error")
                ? "Point " + ClientTls.KEY_VARIABLE + " at the key of the certificate in " + tls.certFileNamed()
                : "Present a current certificate from a CA the " + endpoint.service() + " trusts (ours, in "
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
