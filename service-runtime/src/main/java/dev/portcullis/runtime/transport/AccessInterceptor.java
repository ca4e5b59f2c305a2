package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.identity.CertificateIdentity;
import dev.portcullis.runtime.identity.Credential;
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
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorisation of every call, before the method runs: the caller's
 * identity is the SPIFFE ID of its verified client certificate or, on a server given
 * {@link BearerTokens}, the identity of the {@code authorization: Bearer} token they accept (both
 * presented must agree), or the person whose ID token a delegate forwards ({@link TokenAdmission});
 * its roles come from the configured mapping, and the method's
 * {@link AccessRules rule} decides. The token is never logged, audited or quoted. Refusals are
 * UNAUTHENTICATED or PERMISSION_DENIED with a {@code google.rpc.ErrorInfo}; the refused call
 * never reaches the service.
 */
final class AccessInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(AccessInterceptor.class);
    static final String ERROR_DOMAIN = "portcullis";
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";
    private static final Map<String, String> UNVERIFIED_TOKEN = Map.of("credential", "identity_token", "verified", "false");
    /** Stands in where bearer tokens are not admitted; the authorization header is then never read. */
    private static final BearerTokens NO_BEARER_TOKENS = token -> {
        throw new IllegalStateException("this server admits no bearer tokens");
    };

    private final String service;
    private final AccessRules rules;
    private final RoleMapping roles;
    private final AuditRecorder audit;
    private final Clock clock;

    private final InboundGuard guard;
    private final TokenAdmission admission;
    /** Whether the authorization header is read at all. */
    private final boolean readsTokens;
    /** Whether a caller may come without a client certificate (CI tokens admitted). */
    private final boolean admitsTokenCallers;
    private final RefusalBudget anonymousRefusals;

    /**
     * Admits callers with a verified client certificate only; bearer tokens are ignored. Every refusal
     * names a verified identity, so none is held to a budget.
     */
    AccessInterceptor(String service, AccessRules rules, RoleMapping roles, AuditRecorder audit, Clock clock,
            InboundGuard guard) {
        this(service, rules, roles, audit, clock, guard, new TokenAdmission(NO_BEARER_TOKENS, false, Set.of()), false,
                new RefusalBudget(RefusalBudget.PER_SECOND, clock));
    }

    /**
     * Admits callers with a verified client certificate, a bearer token {@code bearerTokens} accepts, or
     * both naming one identity; refusals of callers who proved no identity are recorded within
     * {@code anonymousRefusals}, the budget the server's refused handshakes share.
     */
    AccessInterceptor(String service, AccessRules rules, RoleMapping roles, AuditRecorder audit, Clock clock,
            InboundGuard guard, BearerTokens bearerTokens, RefusalBudget anonymousRefusals) {
        this(service, rules, roles, audit, clock, guard, new TokenAdmission(bearerTokens, true, Set.of()), anonymousRefusals);
    }

    /**
     * Admits the tokens {@code admission} admits, from the callers it admits them from; refusals of callers
     * who proved no identity (possible only when CI tokens are admitted) are recorded within
     * {@code anonymousRefusals}.
     */
    AccessInterceptor(String service, AccessRules rules, RoleMapping roles, AuditRecorder audit, Clock clock,
            InboundGuard guard, TokenAdmission admission, RefusalBudget anonymousRefusals) {
        this(service, rules, roles, audit, clock, guard, admission, true, anonymousRefusals);
    }

    private AccessInterceptor(String service, AccessRules rules, RoleMapping roles, AuditRecorder audit, Clock clock,
            InboundGuard guard, TokenAdmission admission, boolean readsTokens, RefusalBudget anonymousRefusals) {
        this.admission = requireNonNull(admission, "admission is null");
        this.readsTokens = readsTokens;
        this.admitsTokenCallers = readsTokens && admission.ciTokens();
        this.anonymousRefusals = requireNonNull(anonymousRefusals, "anonymousRefusals is null");
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
        Authentication authentication = authenticate(call, headers, method);
        if (authentication instanceof Unauthenticated refusal) {
            return refuse(watched, refusal.code(), refusal.message(), refusal.reason(), refusal.metadata(), method,
                    refusal.actor(), remote, refusal.auditAttributes());
        }
        SpiffeId identity = ((Authenticated) authentication).identity();
        Credential credential = ((Authenticated) authentication).credential();
        boolean delegateOwn = ((Authenticated) authentication).delegateOwn();
        // a delegate's certificate alone acts without a role, whatever role pattern its identity matches:
        // the service narrows what such a caller may do by the roles it lacks (audit Append: its own refusals)
        Set<Role> held = delegateOwn ? Set.of() : roles.rolesOf(identity);
        var rule = rules.ruleFor(method);
        if (rule.isEmpty()) {
            return refuse(watched, Code.PERMISSION_DENIED, "this method admits no caller",
                    "METHOD_NOT_ALLOWED", Map.of("method", method), method, identity.value(), remote, Map.of());
        }
        if (!delegateOwn && rule.get() instanceof AccessRules.AnyOf anyOf && anyOf.roles().stream().noneMatch(held::contains)) {
            String required = String.join(",", new TreeSet<>(anyOf.roles().stream().map(r -> r.name().toLowerCase()).toList()));
            return refuse(watched, Code.PERMISSION_DENIED, "identity " + identity + " may not call " + method,
                    "ROLE_REQUIRED",
                    Map.of("identity", identity.value(), "method", method, "required_roles", required),
                    method, identity.value(), remote, credential instanceof Credential.ClientCertificate
                            ? Map.of() : Map.of("authentication", credential.method()));
        }
        if (watch != null) {
            watch.onTransportRefusal(status -> record(AuditAction.REQUEST_INVALID, "REQUEST_TOO_LARGE", method,
                    identity.value(), remote, Map.of("method", shortName(method))));
        }
        Context context = Context.current().withValue(Caller.CONTEXT_KEY, new Caller(identity, held, remote, credential));
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

    /** Who proved what, or why not. */
    private sealed interface Authentication permits Authenticated, Unauthenticated {}

    /** @param delegateOwn a delegate's certificate alone, on one of the methods it may call so: no role needed */
    private record Authenticated(SpiffeId identity, Credential credential, boolean delegateOwn) implements Authentication {
        Authenticated(SpiffeId identity, Credential credential) {
            this(identity, credential, false);
        }
    }

    /** @param actor the identity a verified certificate named, else empty: nothing was verified */
    private record Unauthenticated(Code code, String reason, String message, Map<String, String> metadata, String actor,
            Map<String, String> auditAttributes) implements Authentication {
        Unauthenticated(Code code, String reason, String message, String actor, Map<String, String> auditAttributes) {
            this(code, reason, message, Map.of(), actor, auditAttributes);
        }
    }

    /**
     * The caller's identity from its client certificate, or, where bearer tokens are admitted, from its
     * token; when both are presented they must name the same identity, and the token's binding applies.
     * A person's token makes the person the caller only when a delegate's certificate presents it, and a
     * delegate's certificate never stands alone. The token is never logged, audited or quoted.
     */
    private Authentication authenticate(ServerCall<?, ?> call, Metadata headers, String method) {
        Optional<X509Certificate> certificate = peerCertificate(call);
        // Metadata.getAll is null when the header is absent; a server without BearerTokens never reads it
        Iterable<String> authorizations = readsTokens ? headers.getAll(AUTHORIZATION) : null;
        boolean tokenPresented = authorizations != null;
        if (certificate.isEmpty() && !tokenPresented) {
            return admitsTokenCallers
                    ? new Unauthenticated(Code.UNAUTHENTICATED, "NO_CREDENTIALS",
                            "a client certificate or an identity token is required", "", Map.of())
                    : new Unauthenticated(Code.UNAUTHENTICATED, "NO_CLIENT_CERTIFICATE",
                            "a client certificate is required", "", Map.of());
        }
        Optional<SpiffeId> certified = Optional.empty();
        if (certificate.isPresent()) {
            try {
                certified = Optional.of(CertificateIdentity.of(certificate.get()));
            } catch (InvalidIdentityException e) {
                // the chain is trusted but names no identity we accept: record what it claimed, as such
                return new Unauthenticated(Code.UNAUTHENTICATED, "IDENTITY_INVALID",
                        "the client certificate carries no valid SPIFFE identity", Map.of("problem", e.getMessage()), "",
                        Map.of("unverified_names", CertificateIdentity.claimedNames(certificate.get())));
            }
        }
        boolean delegate = certified.isPresent() && readsTokens && admission.isDelegate(certified.get());
        if (!tokenPresented) {
            if (delegate && admission.delegateOwnMethods().contains(method)) {
                return new Authenticated(certified.get(), new Credential.ClientCertificate(), true);
            }
            if (delegate) {
                // a stolen delegate certificate alone must do nothing
                return new Unauthenticated(Code.PERMISSION_DENIED, "USER_TOKEN_REQUIRED",
                        "a delegate's call must carry the signed-in user's identity token", certified.get().value(),
                        Map.of("credential", "client_certificate", "delegate", "true"));
            }
            return new Authenticated(certified.orElseThrow(), new Credential.ClientCertificate());
        }
        String actor = certified.map(SpiffeId::value).orElse("");
        Optional<String> token = bearerToken(authorizations);
        if (token.isEmpty()) {
            return new Unauthenticated(Code.UNAUTHENTICATED, "TOKEN_MALFORMED",
                    "the authorization header must be one 'Bearer <token>'", actor, UNVERIFIED_TOKEN);
        }
        BearerTokens.Check check;
        try {
            check = admission.tokens().check(token.get());
        } catch (RuntimeException e) {
            // fail closed; the failure's text may quote the token, so only its type is logged
            log.atError().addKeyValue("failure", e.getClass().getName()).log("access.token_check_failed");
            return new Unauthenticated(Code.UNAVAILABLE, "TOKEN_CHECK_FAILED",
                    "the identity token cannot be verified now", actor, UNVERIFIED_TOKEN);
        }
        if (check instanceof BearerTokens.Refused refused) {
            Map<String, String> attributes = new TreeMap<>(refused.auditAttributes());
            attributes.putAll(UNVERIFIED_TOKEN);
            return new Unauthenticated(refused.retryable() ? Code.UNAVAILABLE : Code.UNAUTHENTICATED,
                    refused.reason(), refused.message(), actor, attributes);
        }
        if (check instanceof BearerTokens.AcceptedUser user) {
            if (!delegate) {
                // a person's token is accepted only through the console, which holds the session it came from
                return certified.isPresent()
                        ? new Unauthenticated(Code.PERMISSION_DENIED, "DELEGATE_REQUIRED",
                                "a person's identity token is accepted only from a delegate", actor,
                                Map.of("credential", "identity_token", "token_identity", user.identity().value()))
                        : new Unauthenticated(Code.UNAUTHENTICATED, "DELEGATE_REQUIRED",
                                "a person's identity token is accepted only from a delegate", actor,
                                Map.of("credential", "identity_token", "token_identity", user.identity().value()));
            }
            return new Authenticated(user.identity(), user.via(certified.get()));
        }
        BearerTokens.Accepted accepted = (BearerTokens.Accepted) check;
        if (delegate) {
            return new Unauthenticated(Code.PERMISSION_DENIED, "USER_TOKEN_REQUIRED",
                    "a delegate's call must carry the signed-in user's identity token, not a CI job's", actor,
                    Map.of("credential", "identity_token", "token_identity", accepted.identity().value()));
        }
        if (!admission.ciTokens()) {
            return new Unauthenticated(Code.UNAUTHENTICATED, "TOKEN_ISSUER",
                    "this service accepts no CI identity tokens", actor,
                    Map.of("credential", "identity_token", "token_identity", accepted.identity().value()));
        }
        if (certified.isPresent() && !certified.get().equals(accepted.identity())) {
            return new Unauthenticated(Code.UNAUTHENTICATED, "IDENTITY_MISMATCH",
                    "the client certificate and the identity token name different identities", actor,
                    Map.of("credential", "identity_token", "token_identity", accepted.identity().value()));
        }
        return new Authenticated(accepted.identity(), accepted.credential());
    }

    /** The token of exactly one {@code authorization: Bearer <token>} header. */
    private static Optional<String> bearerToken(Iterable<String> authorizations) {
        Optional<String> token = Optional.empty();
        for (String value : authorizations) {
            if (token.isPresent() || value.length() <= BEARER.length()
                    || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return Optional.empty();
            }
            token = Optional.of(value.substring(BEARER.length()).strip());
        }
        return token.filter(t -> !t.isEmpty());
    }

    /** "portcullis.v1.GatewayService/SubmitRun" becomes "SubmitRun", as the services name methods in audit records. */
    private static String shortName(String fullMethodName) {
        return fullMethodName.substring(fullMethodName.lastIndexOf('/') + 1);
    }

    /** The verified client certificate; empty when the caller presented none (TLS client auth optional). */
    private static Optional<X509Certificate> peerCertificate(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return Optional.empty();
            }
            return Optional.of(leaf);
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    private static String remoteAddress(ServerCall<?, ?> call) {
        return RemoteAddress.printable(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    }

    private <Q> ServerCall.Listener<Q> refuse(
            ServerCall<Q, ?> call, Code code, String message, String reason, Map<String, String> metadata,
            String method, String identity, String remote, Map<String, String> attributes) {
        if (admitsTokenCallers && identity.isEmpty()) {
            // no certificate was needed to get here: anyone can provoke this refusal
            OptionalLong left = anonymousRefusals.take();
            if (left.isEmpty()) {
                close(call, code, message, reason, metadata);
                return new ServerCall.Listener<>() {};
            }
            if (left.getAsLong() > 0) {
                attributes = new TreeMap<>(attributes);
                attributes.put("suppressed", Long.toString(left.getAsLong()));
            }
        }
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
                    .sourceAddress(remote)
                    .attributes(attributes)
                    .build());
        } catch (RuntimeException e) {
            // the call is refused either way; a full spool is reported by the recorder's health
            log.atError().setCause(e).log("access.refusal_not_audited");
        }
    }

    private static void close(ServerCall<?, ?> call, Code code, String message, String reason, Map<String, String> metadata) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setDomain(ERROR_DOMAIN)
                        .setReason(reason)
                        .putAllMetadata(metadata)
                        .build()));
        if (code == Code.UNAVAILABLE) {
            status.addDetails(Any.pack(RetryInfo.newBuilder()
                    .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                    .build()));
        }
        StatusException refusal = StatusProto.toStatusException(status.build());
        call.close(refusal.getStatus(), requireNonNull(refusal.getTrailers(), "trailers"));
    }
}
