package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A corpus of attacks run against a live suite's gateway over real mTLS: path traversal in
 * every spelling, ref and SHA injection, oversized, malformed and unbounded messages, unknown
 * enum values, missing fields, replayed and self approvals, certificates claiming identities they
 * do not carry, CI identities reaching for other repos, commands, environments and roles, and
 * CI jobs calling with forged, stale, misdirected, oversized or replayed OIDC identity tokens.
 * The cases are tables ({@link HostileCases}, {@link TokenCases}); {@link HostileCaseRunner} runs each.
 *
 * <p>Each case must come back with exactly the expected gRPC status and {@code ErrorInfo}
 * reason (or, for a policy denial, a DENIED run naming the expected reason), and the refusal
 * must then be found in the audit log, read as an auditor through {@code AuditService.Query}:
 * an event of the expected action inside the case's time window, matched on something unique to
 * the case (its own caller identity, run or claimed certificate name).
 *
 * <p>The suite must run the dev catalog's shape: repo {@code example} (a local git repository,
 * {@code file://} URL, with branch {@code main} and folders {@code stage/app}, {@code prod/app}),
 * commands {@code plan} (producing a plan) and {@code apply} (requiring one), environments
 * {@code stage} (no approvals) and {@code prod} (one approval), CI identities
 * {@code spiffe://TRUST_DOMAIN/ci/**} as callers and approvers {@code human/approver} and
 * {@code human/admin}, as {@code portcullis dev} sets up, and the gateway must accept the OIDC
 * issuers of {@link SuiteEndpoints#issuers()} (the dev issuer as {@code portcullis dev} configures
 * it). When the catalog also admits {@code human/admin} as a caller of {@code example}, the
 * admin's self-approval is tried too; a repository whose callers exclude the corpus' CI
 * identities is asked for when there is one.
 */
public final class HostileCorpus {
    private static final Duration AUDIT_DEADLINE = Duration.ofSeconds(30);

    private HostileCorpus() {}

    /**
     * Runs every case against the suite at {@code suite} and checks the audit log for each
     * refusal. Blocks until done (about 10-30 s on a quiet suite); the suite keeps the fixture runs
     * the corpus made (a plan in {@code prod/app}, applies of it).
     *
     * @throws IllegalStateException when the suite is not usable (unreachable, no dev catalog shape)
     */
    public static HostileReport run(SuiteEndpoints suite) {
        requireNonNull(suite, "suite is null");
        CorpusCatalogFacts facts = CorpusCatalogFacts.read(suite.catalogFile(), CorpusRequests.REPO);
        CorpusIdentities identities = CorpusIdentities.tagged();
        CorpusRequests requests = new CorpusRequests(facts.mainCommit());
        try (HostileCaseRunner runner = new HostileCaseRunner(suite)) {
            Instant began = Instant.now();
            CorpusFixture fixture = CorpusFixture.make(runner, identities, requests, facts);
            List<TriedCase> tried = new ArrayList<>();
            List<HostileCase> cases = new ArrayList<>(HostileCases.all(identities, requests, facts, fixture));
            cases.addAll(TokenCases.all(identities, requests, facts, suite.issuers(), runner));
            for (HostileCase hostile : cases) {
                tried.add(runner.run(hostile));
            }
            fixture.tidy(runner);
            return report(runner.auditTrail(identities.auditor()), began, tried);
        }
    }

    /** Which cases were refused as expected and found in the audit log, waiting a while for the log to catch up. */
    private static HostileReport report(AuditTrail trail, Instant began, List<TriedCase> tried) {
        Set<AuditAction> actions = EnumSet.noneOf(AuditAction.class);
        tried.forEach(t -> actions.add(t.audit().action()));
        Instant deadline = Instant.now().plus(AUDIT_DEADLINE);
        List<String> missing;
        while (true) {
            List<AuditEvent> events = trail.since(began.minusSeconds(1), actions, HostileCaseRunner.CALL_DEADLINE);
            missing = new ArrayList<>();
            for (TriedCase t : tried) {
                if (t.mismatch().isEmpty() && events.stream().noneMatch(t::auditedBy)) {
                    missing.add(t.name());
                }
            }
            if (missing.isEmpty() || Instant.now().isAfter(deadline)) {
                break;
            }
            pause(Duration.ofMillis(200));
        }
        List<String> unexpected = new ArrayList<>();
        int refused = 0;
        for (TriedCase t : tried) {
            if (t.mismatch().isPresent()) {
                unexpected.add(t.name() + ": " + t.mismatch().get());
            } else if (missing.contains(t.name())) {
                unexpected.add(t.name() + ": refused as expected but not audited (no " + t.audit().description() + ")");
            } else {
                refused++;
            }
        }
        return new HostileReport(tried.size(), refused, unexpected);
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
