package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.identity.CertificateIdentity;
import dev.portcullis.runtime.identity.InvalidIdentityException;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusException;
import io.grpc.protobuf.StatusProto;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorisation of every call, before the method runs: the caller's
 * identity is the SPIFFE ID of its verified client certificate, its roles come from the
 * configured mapping, and the method's {@link AccessRules rule} decides. Refusals are
 * UNAUTHENTICATED or PERMISSION_DENIED with a {@code google.rpc.ErrorInfo}; the refused call
 * never reaches the service.
 */
final class AccessInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(AccessInterceptor.class);
    static final String ERROR_DOMAIN = "portcullis";

    private final String service;
    private final AccessRules rules;
    private final RoleMapping roles;
    private final AuditRecorder audit;
    private final Clock clock;

    private final InboundGuard guard;

    AccessInterceptor(String service, AccessRules rules, RoleMapping roles, AuditRecorder audit, Clock clock,
            InboundGuard guard) {
        this.service = requireNonNull(service, "service is null");
        this.rules = requireNonNull(rules, "rules is null");
        this.roles = requireNonNull(roles, "roles is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.guard = requireNonNull(guard, "guard is null");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        String remote = remoteAddress(call);
        InboundGuard.CallWatch watch = InboundGuard.WATCH.get();
        ServerCall<Q, R> watched = watch == null ? call : new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(io.grpc.Status status, Metadata trailers) {
                watch.closedByServer();
                super.close(status, trailers);
            }
        };
        SpiffeId identity;
        X509Certificate certificate;
        try {
            certificate = peerCertificate(call);
        } catch (NoClientCertificate e) {
            return refuse(watched, Code.UNAUTHENTICATED, "a client certificate is required",
                    "NO_CLIENT_CERTIFICATE", Map.of(), method, "", remote, Map.of());
        }
        try {
            identity = CertificateIdentity.of(certificate);
        } catch (InvalidIdentityException e) {
            // the chain is trusted but names no identity we accept: record what it claimed, as such
            return refuse(watched, Code.UNAUTHENTICATED, "the client certificate carries no valid SPIFFE identity",
                    "IDENTITY_INVALID", Map.of("problem", e.getMessage()), method, "", remote,
                    Map.of("unverified_names", CertificateIdentity.claimedNames(certificate)));
        }
        Set<Role> held = roles.rolesOf(identity);
        var rule = rules.ruleFor(method);
        if (rule.isEmpty()) {
            return refuse(watched, Code.PERMISSION_DENIED, "this method admits no caller",
                    "METHOD_NOT_ALLOWED", Map.of("method", method), method, identity.value(), remote, Map.of());
        }
        if (rule.get() instanceof AccessRules.AnyOf anyOf && anyOf.roles().stream().noneMatch(held::contains)) {
            String required = String.join(",", new TreeSet<>(anyOf.roles().stream().map(r -> r.name().toLowerCase()).toList()));
            return refuse(watched, Code.PERMISSION_DENIED, "identity " + identity + " may not call " + method,
                    "ROLE_REQUIRED",
                    Map.of("identity", identity.value(), "method", method, "required_roles", required),
                    method, identity.value(), remote, Map.of());
        }
        if (watch != null) {
            watch.onTransportRefusal(status -> record(AuditAction.REQUEST_INVALID, "REQUEST_TOO_LARGE", method,
                    identity.value(), remote, Map.of("method", shortName(method))));
        }
        Context context = Context.current().withValue(Caller.CONTEXT_KEY, new Caller(identity, held, remote));
        ServerCall.Listener<Q> listener = Contexts.interceptCall(context, watched, headers, next);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                if (guard.isMalformed(message)) {
                    refused = true;
                    record(AuditAction.REQUEST_INVALID, "REQUEST_MALFORMED", method, identity.value(), remote,
                            Map.of("method", shortName(method)));
                    close(watched, Code.INVALID_ARGUMENT, "the request is not a valid " + method + " message",
                            "REQUEST_MALFORMED", Map.of());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** "portcullis.v1.GatewayService/SubmitRun" becomes "SubmitRun", as the services name methods in audit records. */
    private static String shortName(String fullMethodName) {
        return fullMethodName.substring(fullMethodName.lastIndexOf('/') + 1);
    }

    private static X509Certificate peerCertificate(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            throw new NoClientCertificate();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                throw new NoClientCertificate();
            }
            return leaf;
        } catch (SSLPeerUnverifiedException e) {
            throw new NoClientCertificate();
        }
    }

    private static String remoteAddress(ServerCall<?, ?> call) {
        SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        return address == null ? "" : address.toString().replaceFirst("^[^/]*/", "");
    }

    private <Q> ServerCall.Listener<Q> refuse(
            ServerCall<Q, ?> call, Code code, String message, String reason, Map<String, String> metadata,
            String method, String identity, String remote, Map<String, String> attributes) {
        log.atWarn()
                .addKeyValue("method", method)
                .addKeyValue("identity", identity)
                .addKeyValue("remote", remote)
                .addKeyValue("reason", reason)
                .log("access.refused");
        record(AuditAction.AUTH_FAILED, reason, method, identity, remote, attributes);
        close(call, code, message, reason, metadata);
        return new ServerCall.Listener<>() {};
    }

    private void record(AuditAction action, String reason, String method, String identity, String remote,
            Map<String, String> attributes) {
        try {
            audit.record(AuditEvent.builder(service, action, clock.instant())
                    .actor(identity)
                    .resource(new AuditResource("method", method, "", ""))
                    .outcome(AuditOutcome.DENIED)
                    .reason(reason)
                    .sourceAddress(remote.length() > 128 ? remote.substring(0, 128) : remote)
                    .attributes(attributes)
                    .build());
        } catch (RuntimeException e) {
            // the call is refused either way; a full spool is reported by the recorder's health
            log.atError().setCause(e).log("access.refusal_not_audited");
        }
    }

    private static void close(ServerCall<?, ?> call, Code code, String message, String reason, Map<String, String> metadata) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setDomain(ERROR_DOMAIN)
                        .setReason(reason)
                        .putAllMetadata(metadata)
                        .build()))
                .build();
        StatusException refusal = StatusProto.toStatusException(status);
        call.close(refusal.getStatus(), requireNonNull(refusal.getTrailers(), "trailers"));
    }

    /** The session has no verified peer certificate. */
    private static final class NoClientCertificate extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoClientCertificate() {
            super(null, null, false, false);
        }
    }
}
