package dev.portcullis.bench.reliability;

import static dev.portcullis.bench.reliability.CorpusRequests.submit;
import static dev.portcullis.bench.reliability.ExpectedAudit.onActor;
import static dev.portcullis.bench.reliability.ExpectedAudit.policyDenied;
import static dev.portcullis.bench.reliability.ExpectedAudit.refusedToken;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.portcullis.bench.reliability.ExpectedOutcome.Denial;
import dev.portcullis.bench.reliability.ExpectedOutcome.Refusal;
import dev.portcullis.cli.dev.issuer.DevIssuer;
import dev.portcullis.cli.dev.issuer.DevTokens;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.RunSpec;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * The corpus' identity-token cases (issue 17): CI jobs calling with forged, stale, misdirected,
 * oversized and replayed OIDC tokens and no certificate, against the suite's gateway configured
 * with the dev issuer and an unreachable second issuer ({@link SuiteIssuers}). Each token names a
 * repository of its own, so a refused token's audit event is found by its unverified {@code jti}
 * and an accepted one's by its identity. Not thread-safe: build on one thread.
 */
final class TokenCases {
    /** The gateway's default {@code portcullis.oidc.max-runs-per-token}. */
    static final int MAX_RUNS_PER_TOKEN = 4;
    /** Over the dev issuer's {@code max-token-bytes} (8 KiB), under the gateway's metadata limit (16 KiB). */
    private static final int OVERSIZED_BYTES = 10 * 1024;

    private final CorpusIdentities who;
    private final CorpusRequests requests;
    private final CorpusCatalogFacts facts;
    private final DevTokens tokens;
    private final String downIssuerUrl;
    // guarded by confinement to the building thread
    private final List<HostileCase> cases = new ArrayList<>();
    private int serial;

    private TokenCases(CorpusIdentities who, CorpusRequests requests, CorpusCatalogFacts facts, SuiteIssuers issuers) {
        this.who = requireNonNull(who, "who is null");
        this.requests = requireNonNull(requests, "requests is null");
        this.facts = requireNonNull(facts, "facts is null");
        this.tokens = issuers.dev();
        this.downIssuerUrl = issuers.downIssuerUrl();
    }

    /**
     * Every token case. Submits {@link #MAX_RUNS_PER_TOKEN} plans with one token through
     * {@code runner} first, so that its next submission is one more than allowed.
     */
    static List<HostileCase> all(CorpusIdentities who, CorpusRequests requests, CorpusCatalogFacts facts,
            SuiteIssuers issuers, HostileCaseRunner runner) {
        TokenCases table = new TokenCases(who, requests, facts, issuers);
        table.forgeries();
        table.misdirected();
        table.stale();
        table.bindings();
        table.usedUp(runner);
        table.oversized();
        table.unreachableIssuer();
        return List.copyOf(table.cases);
    }

    private void forgeries() {
        JWTClaimsSet.Builder none = claims("none");
        refused("token with alg none", tokens.unsigned(none), none, "TOKEN_ALGORITHM");
        JWTClaimsSet.Builder hmac = claims("hs256");
        refused("token HS256-signed with the issuer's public key", tokens.signHmacWithPublicKey(hmac), hmac, "TOKEN_ALGORITHM");
        JWTClaimsSet.Builder unknownKey = claims("kid");
        refused("token naming a key the issuer does not publish", tokens.signNaming("rotated-away", unknownKey), unknownKey,
                "TOKEN_UNKNOWN_KEY");
        JWTClaimsSet.Builder signed = claims("tampered");
        JWTClaimsSet.Builder tampered = claims("tampered-to").jwtID(signed.build().getJWTID()).claim("environment", "prod");
        refused("token whose payload was changed after signing", DevTokens.tampered(tokens.sign(signed), tampered), tampered,
                "TOKEN_SIGNATURE");
    }

    private void misdirected() {
        JWTClaimsSet.Builder github = claims("issuer").issuer("https://token.actions.githubusercontent.com");
        refused("token of an issuer the gateway does not trust", tokens.forIssuer("https://token.actions.githubusercontent.com")
                .sign(github), github, "TOKEN_ISSUER");
        JWTClaimsSet.Builder audience = claims("audience").audience("https://another-deploy-server.example");
        refused("token for another audience", tokens.sign(audience), audience, "TOKEN_AUDIENCE");
        JWTClaimsSet.Builder audiences = claims("audiences").audience(List.of(DevIssuer.AUDIENCE, "https://another.example"));
        refused("token for two audiences, ours among them", tokens.sign(audiences), audiences, "TOKEN_AUDIENCE");
    }

    private void stale() {
        Instant now = Instant.now();
        JWTClaimsSet.Builder expired = times(claims("expired"), now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(2)),
                now.minus(Duration.ofHours(1)));
        refused("token expired an hour ago", tokens.sign(expired), expired, "TOKEN_EXPIRED");
        JWTClaimsSet.Builder early = times(claims("early"), now, now.plus(Duration.ofMinutes(10)), now.plus(Duration.ofMinutes(30)));
        refused("token not valid for another ten minutes", tokens.sign(early), early, "TOKEN_NOT_YET_VALID");
        Instant tomorrow = now.plus(Duration.ofDays(1));
        JWTClaimsSet.Builder future = times(claims("future"), tomorrow, now, tomorrow.plus(Duration.ofMinutes(10)));
        refused("token issued a day from now", tokens.sign(future), future, "TOKEN_ISSUED_IN_FUTURE");
    }

    /** Tokens the gateway accepts, asking for what they were not issued for. */
    private void bindings() {
        facts.foreignRepo().ifPresent(repo -> {
            TokenCaller caller = accepted("foreign-repo");
            add("token of one repository asking for another", caller, requests.spec().setRepo(repo), new Denial("CALLER_NOT_ALLOWED"),
                    policyDenied(caller, "CALLER_NOT_ALLOWED"));
        });
        String main = facts.mainCommit();
        String otherCommit = main.substring(0, 39) + (main.endsWith("0") ? "1" : "0");
        TokenCaller commit = accepted("commit");
        add("token asking for a commit other than its own", commit, requests.spec().setCommitSha(otherCommit),
                commitMismatch(), onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, commit, "TOKEN_COMMIT_MISMATCH"));
        TokenCaller ref = accepted("ref");
        add("token asking for a ref other than its own", ref, requests.spec().setRef("refs/heads/feature/demo"),
                commitMismatch(), onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, ref, "TOKEN_COMMIT_MISMATCH"));
    }

    private void usedUp(HostileCaseRunner runner) {
        TokenCaller replayed = accepted("replayed");
        for (int i = 0; i < MAX_RUNS_PER_TOKEN; i++) {
            runner.gateway(replayed).submitRun(submit(requests.spec()).build());
        }
        add("token submitting one run more than allowed", replayed, requests.spec(),
                new Refusal(Status.Code.PERMISSION_DENIED, "TOKEN_RUNS_EXHAUSTED", ""),
                onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, replayed, "TOKEN_RUNS_EXHAUSTED"));
    }

    private void oversized() {
        JWTClaimsSet.Builder padded = claims("oversized").claim("padding", "x".repeat(OVERSIZED_BYTES));
        // refused on its length before its claims are read: the audit event carries none
        refused("token of 10 KiB", tokens.sign(padded), "", "TOKEN_TOO_LARGE");
    }

    private void unreachableIssuer() {
        JWTClaimsSet.Builder down = claims("down").issuer(downIssuerUrl);
        TokenCaller caller = TokenCaller.refused(tokens.forIssuer(downIssuerUrl).sign(down));
        String jti = down.build().getJWTID();
        add("token of a configured issuer that is unreachable, no key cached", caller, requests.spec(),
                new Refusal(Status.Code.UNAVAILABLE, "TOKEN_ISSUER_UNAVAILABLE", ""), refusedToken(jti, "TOKEN_ISSUER_UNAVAILABLE"));
    }

    // ---------------------------------------------------------------- row shapes

    /** A token for the demo repository's main under a repository name (and so an identity) of its own. */
    private JWTClaimsSet.Builder claims(String kind) {
        return tokens.github(new CommitSha(facts.mainCommit()), new GitRef("refs/heads/main"))
                .claim("repository", repository(kind));
    }

    private String repository(String kind) {
        return "hostile-" + who.tag() + "/" + kind + "-" + (++serial);
    }

    /** A caller with a valid token of its own repository, which the suite accepts. */
    private TokenCaller accepted(String kind) {
        JWTClaimsSet.Builder claims = claims(kind);
        String identity = DevIssuer.IDENTITY_TEMPLATE.replace("{repository}", (String) claims.build().getClaim("repository"));
        return TokenCaller.accepted(identity, tokens.sign(claims));
    }

    /** A token refused {@code UNAUTHENTICATED} {@code reason}, audited with the unverified {@code jti} of {@code claims}. */
    private void refused(String name, String token, JWTClaimsSet.Builder claims, String reason) {
        refused(name, token, claims.build().getJWTID(), reason);
    }

    private void refused(String name, String token, String jti, String reason) {
        add(name, TokenCaller.refused(token), requests.spec(), new Refusal(Status.Code.UNAUTHENTICATED, reason, ""),
                refusedToken(jti, reason));
    }

    private void add(String name, TokenCaller caller, RunSpec.Builder spec, ExpectedOutcome expected, ExpectedAudit audit) {
        cases.add(new HostileCase(name, HostileRpc.SUBMIT_RUN, caller, submit(spec).build(), expected, audit));
    }

    private static Refusal commitMismatch() {
        return new Refusal(Status.Code.PERMISSION_DENIED, "TOKEN_COMMIT_MISMATCH", "");
    }

    private static JWTClaimsSet.Builder times(JWTClaimsSet.Builder claims, Instant issued, Instant notBefore, Instant expires) {
        return claims.issueTime(Date.from(issued)).notBeforeTime(Date.from(notBefore)).expirationTime(Date.from(expires));
    }
}
