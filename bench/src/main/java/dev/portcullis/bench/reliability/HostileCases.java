package dev.portcullis.bench.reliability;

import static dev.portcullis.bench.reliability.CorpusRequests.key;
import static dev.portcullis.bench.reliability.CorpusRequests.submit;
import static dev.portcullis.bench.reliability.ExpectedAudit.authFailed;
import static dev.portcullis.bench.reliability.ExpectedAudit.claimed;
import static dev.portcullis.bench.reliability.ExpectedAudit.invalidRequest;
import static dev.portcullis.bench.reliability.ExpectedAudit.onActor;
import static dev.portcullis.bench.reliability.ExpectedAudit.onActorAndRun;
import static dev.portcullis.bench.reliability.ExpectedAudit.onRun;
import static dev.portcullis.bench.reliability.ExpectedAudit.policyDenied;
import static java.util.Objects.requireNonNull;

import dev.portcullis.bench.reliability.CallerCertificates.Signer;
import dev.portcullis.bench.reliability.ExpectedOutcome.Denial;
import dev.portcullis.bench.reliability.ExpectedOutcome.Refusal;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.CancelRunRequest;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.WatchRunRequest;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The hostile corpus as a table: every case, grouped by the service it attacks, each row naming
 * the RPC, the caller, the hostile input, the expected status and reason (or policy denial) and
 * the audit event its refusal must leave. Rows that refer to runs take them from the fixture, so
 * the table is built once the fixture is made. Not thread-safe: build it on one thread.
 */
final class HostileCases {
    /** Over the gateway's inbound message limit (4 MiB). */
    private static final int MESSAGE_OVER_LIMIT = 5 * 1024 * 1024;

    private final CorpusIdentities who;
    private final CorpusRequests requests;
    private final CorpusCatalogFacts facts;
    private final CorpusFixture fixture;
    private final String domain;
    // guarded by confinement to the building thread
    private final List<HostileCase> cases = new ArrayList<>();

    private HostileCases(CorpusIdentities who, CorpusRequests requests, CorpusCatalogFacts facts, CorpusFixture fixture) {
        this.who = requireNonNull(who, "who is null");
        this.requests = requireNonNull(requests, "requests is null");
        this.facts = requireNonNull(facts, "facts is null");
        this.fixture = requireNonNull(fixture, "fixture is null");
        this.domain = who.domain();
    }

    /** Every case, in the order they run. */
    static List<HostileCase> all(CorpusIdentities who, CorpusRequests requests, CorpusCatalogFacts facts,
            CorpusFixture fixture) {
        HostileCases table = new HostileCases(who, requests, facts, fixture);
        // GatewayService
        table.folderTraversal();
        table.refAndShaInjection();
        table.fieldBounds();
        table.unknownEnumsAndMissingFields();
        table.policyRefusals();
        table.approvals();
        table.secondNames();
        table.certificateClaims();
        table.rolesOfOthers();
        table.malformedMessages();
        // AuditService
        table.auditQueries();
        return List.copyOf(table.cases);
    }

    // ---------------------------------------------------------------- GatewayService

    private void folderTraversal() {
        List<String> folders = List.of("..", "../..", "a/../..", "stage/../../etc", "stage/app/../../../etc", "./../etc",
                "././..", "%2e%2e", "%2e%2e/%2e%2e/etc", "..%2f..%2fetc", "%252e%252e%252fetc", "%25252e%25252e",
                "..\\..\\etc", "stage\\app", "\\\\server\\share", "/etc", "/etc/passwd", "//etc", "/",
                "\uFF0E\uFF0E/etc", "stage/\uFF0E\uFF0E/\uFF0E\uFF0E", "\u2024\u2024/etc", "stage\u2215app", "stage\uFF0Fapp",
                "...", "stage/...", "stage/app\u0000", "stage/\u0000/../..", "stage/app\n", "stage/app\r", "stage/\u001b[31m",
                "stage/\u202eppa", "a/".repeat(200) + "a", "x".repeat(256), "-rf", "stage/--upload-pack=x", "stage/-n");
        for (String folder : folders) {
            invalidSubmit("folder " + printable(folder), spec().setFolder(folder), "spec.folder");
        }
    }

    private void refAndShaInjection() {
        List<String> refs = List.of("--upload-pack=touch /tmp/pwned", "--upload-pack=x", "-c core.sshCommand=x",
                "refs/heads/main;rm -rf /", "refs/heads/main rm", "refs/heads/main$(id)", "refs/heads/main`id`",
                "refs/heads/../../etc", "refs/heads/main..HEAD", "refs/heads/main@{1}", "@{-1}", "refs/heads/my branch",
                "refs/heads/main\nrefs/heads/evil", "refs/heads/main\u0000", "HEAD", "main", "refs/heads/main.lock",
                "refs/heads/.hidden", "refs/heads/", "refs//heads/main", "refs/heads/ma~in", "refs/heads/ma^in",
                "refs/heads/ma:in", "refs/heads/*", "refs/heads/\uFF4D\uFF41\uFF49\uFF4E", "refs/heads/" + "x".repeat(250), "");
        for (String ref : refs) {
            invalidSubmit("ref " + printable(ref), spec().setRef(ref), "spec.ref");
        }
        String sha = facts.mainCommit();
        List<String> shas = List.of(sha.substring(1), sha + "0", sha.toUpperCase(Locale.ROOT), "g".repeat(40), "HEAD",
                "main", "", sha.substring(1) + "\n", " " + sha.substring(1), "0x" + sha.substring(2),
                sha.substring(0, 39) + "\u0000", "--upload-pack=x" + sha.substring(15), sha.substring(0, 7), sha + sha);
        for (String commit : shas) {
            invalidSubmit("sha " + printable(commit), spec().setCommitSha(commit), "spec.commit_sha");
        }
    }

    private void fieldBounds() {
        invalidSubmit("repo over 100 characters", spec().setRepo("a".repeat(101)), "spec.repo");
        invalidSubmit("repo with a slash", spec().setRepo("../example"), "spec.repo");
        invalidSubmit("environment over 100 characters", spec().setEnvironment("s".repeat(101)), "spec.environment");
        invalidSubmit("environment with a newline", spec().setEnvironment("stage\nprod"), "spec.environment");
        invalidSubmit("command over 100 characters", spec().setCommand("p".repeat(101)), "spec.command");
        invalidSubmit("command as a shell line", spec().setCommand("plan; rm -rf /"), "spec.command");
        invalidSubmit("command as an option", spec().setCommand("--exec=sh"), "spec.command");
        invalidSubmit("plan run id not a uuid", spec().setPlanRunId("../../runs/1"), "spec.plan_run_id");
        invalidSubmit("folder of a megabyte", spec().setFolder("a".repeat(1024 * 1024)), "spec.folder");
        invalid("request key over 128 characters", submit(spec()).setRequestKey("k".repeat(129)).build(), "request_key");
        invalid("request key with a space", submit(spec()).setRequestKey("job 1").build(), "request_key");
        invalid("break-glass justification over 2048 characters",
                submit(spec()).setBreakGlassJustification("j".repeat(2049)).build(), "break_glass_justification");
        invalid("break-glass justification too short",
                submit(spec()).setBreakGlassJustification("because").build(), "break_glass_justification");
        invalid("break-glass justification with escapes", submit(spec())
                .setBreakGlassJustification("an emergency, really \u001b[2J\u001b[H wiped").build(), "break_glass_justification");
        invalidList("list filter requester of 3000 characters", ListRunsRequest.newBuilder()
                .setRequester(domain + "/ci/" + "x".repeat(3000)).build(), "requester");
        invalidList("list page size over 500", ListRunsRequest.newBuilder().setPageSize(501).build(), "page_size");
        invalidList("list page size 2^32-1", ListRunsRequest.newBuilder().setPageSize(-1).build(), "page_size");
        ListRunsRequest.Builder manyStates = ListRunsRequest.newBuilder();
        for (int i = 0; i < 100_000; i++) {
            manyStates.addStates(RunState.RUN_STATE_QUEUED);
        }
        invalidList("list with 100000 state filters", manyStates.build(), "states");
        HostileCaller forger = who.ci();
        add("list page token forged", HostileRpc.LIST_RUNS, forger, ListRunsRequest.newBuilder()
                .setPageToken("1; DROP TABLE runs").build(), refusal(Status.Code.INVALID_ARGUMENT, "PAGE_TOKEN_INVALID", ""),
                invalidRequest(forger, "PAGE_TOKEN_INVALID"));
        HostileCaller huge = who.ci();
        add("message over the server's limit", HostileRpc.SUBMIT_RUN, huge, submit(spec()
                .setFolder("a".repeat(MESSAGE_OVER_LIMIT))).build(), refusal(Status.Code.RESOURCE_EXHAUSTED, "", ""),
                invalidRequest(huge, "REQUEST_TOO_LARGE"));
    }

    private void unknownEnumsAndMissingFields() {
        invalidList("list state 999", ListRunsRequest.newBuilder().addStatesValue(999).build(), "states[0]");
        invalidList("list state -1", ListRunsRequest.newBuilder().addStatesValue(-1).build(), "states[0]");
        invalidList("list state unspecified", ListRunsRequest.newBuilder().addStates(RunState.RUN_STATE_UNSPECIFIED).build(),
                "states[0]");
        invalid("submit without spec", SubmitRunRequest.newBuilder().setRequestKey(key()).build(), "spec.repo");
        invalid("submit without request key", SubmitRunRequest.newBuilder().setSpec(spec()).build(), "request_key");
        invalidSubmit("submit without commit", spec().clearCommitSha(), "spec.commit_sha");
        invalidSubmit("submit without ref", spec().clearRef(), "spec.ref");
        invalidSubmit("submit without command", spec().clearCommand(), "spec.command");
        invalidRunId("get without run id", HostileRpc.GET_RUN, who.ci(), GetRunRequest.getDefaultInstance(), "run_id");
        invalidRunId("get run ../../etc/passwd", HostileRpc.GET_RUN, who.ci(), GetRunRequest.newBuilder()
                .setRunId("../../etc/passwd").build(), "run_id");
        invalidRunId("watch without run id", HostileRpc.WATCH_RUN, who.ci(), WatchRunRequest.getDefaultInstance(), "run_id");
        invalidRunId("watch from offset 2^64-1", HostileRpc.WATCH_RUN, who.ci(), WatchRunRequest.newBuilder()
                .setRunId(UUID.randomUUID().toString()).setFromOffset(-1L).build(), "from_offset");
        invalidRunId("cancel without run id", HostileRpc.CANCEL_RUN, who.ci(), CancelRunRequest.getDefaultInstance(), "run_id");
        HostileCaller approver = who.approver();
        add("approve without run id", HostileRpc.APPROVE_RUN, approver, ApproveRunRequest.getDefaultInstance(),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "run_id"),
                invalidRequest(approver, "INVALID_REQUEST", "ApproveRun"));
        HostileCaller rejecter = who.approver();
        add("reject without reason", HostileRpc.REJECT_RUN, rejecter, RejectRunRequest.newBuilder()
                .setRunId(UUID.randomUUID().toString()).build(), refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "reason"),
                invalidRequest(rejecter, "INVALID_REQUEST", "RejectRun"));
    }

    private void policyRefusals() {
        denied("repo not in the catalog", spec().setRepo("infra-live"), "UNKNOWN_REPO");
        facts.foreignRepo().ifPresent(repo -> denied("repo whose callers exclude this CI identity", spec().setRepo(repo),
                "CALLER_NOT_ALLOWED"));
        denied("command not in the catalog", spec().setCommand("destroy"), "UNKNOWN_COMMAND");
        denied("environment not in the catalog", spec().setEnvironment("production"), "UNKNOWN_ENVIRONMENT");
        denied("folder outside the catalog's folders", spec().setFolder("docs"), "FOLDER_NOT_ALLOWED");
        denied("repository root as folder", spec().setFolder("."), "FOLDER_NOT_ALLOWED");
        denied("tag ref the catalog does not allow", spec().setRef("refs/tags/v1.0.0"), "REF_NOT_ALLOWED");
        denied("apply from a branch the catalog does not allow",
                spec().setCommand("apply").setRef("refs/heads/feature/demo").setFolder("prod/app").setEnvironment("prod")
                        .setPlanRunId(fixture.plan().getRunId()),
                "REF_NOT_ALLOWED");
        denied("apply without a plan", spec().setCommand("apply"), "PLAN_REQUIRED");
        HostileCaller breakGlass = who.ci();
        add("break-glass by a CI identity", HostileRpc.SUBMIT_RUN, breakGlass, submit(spec())
                .setBreakGlassJustification("production is down and I need to deploy now").build(),
                refusal(Status.Code.PERMISSION_DENIED, "ROLE_REQUIRED", ""),
                onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, breakGlass, "ROLE_REQUIRED"));
        HostileCaller planThief = who.ci();
        add("apply naming a denied run as its plan", HostileRpc.SUBMIT_RUN, planThief, submit(spec().setCommand("apply")
                .setFolder("prod/app").setEnvironment("prod").setPlanRunId(fixture.denied().getRunId())).build(),
                refusal(Status.Code.FAILED_PRECONDITION, "PLAN_NOT_USABLE", ""),
                onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, planThief, "PLAN_NOT_USABLE"));
        HostileCaller otherFolder = who.ci();
        add("apply of a plan made for another folder", HostileRpc.SUBMIT_RUN, otherFolder, submit(spec().setCommand("apply")
                .setPlanRunId(fixture.plan().getRunId())).build(),
                refusal(Status.Code.FAILED_PRECONDITION, "PLAN_NOT_USABLE", ""),
                onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, otherFolder, "PLAN_NOT_USABLE"));
        HostileCaller replayer = fixture.replayer();
        add("request key replayed for another run", HostileRpc.SUBMIT_RUN, replayer, SubmitRunRequest.newBuilder()
                .setRequestKey(fixture.replayedKey()).setSpec(spec().setRef("refs/tags/second")).build(),
                refusal(Status.Code.ALREADY_EXISTS, "REQUEST_KEY_REUSED", ""),
                onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, replayer, "REQUEST_KEY_REUSED"));
    }

    private void approvals() {
        String waiting = fixture.awaiting().getRunId();
        String digest = fixture.plan().getPlanArtifact().getSha256();
        HostileCaller approver = who.approver();
        add("approve with a stale plan digest", HostileRpc.APPROVE_RUN, approver, ApproveRunRequest.newBuilder()
                .setRunId(waiting).setPlanDigest("0".repeat(64)).build(),
                refusal(Status.Code.FAILED_PRECONDITION, "PLAN_DIGEST_MISMATCH", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, waiting, "PLAN_DIGEST_MISMATCH"));
        add("approve an apply without its plan digest", HostileRpc.APPROVE_RUN, approver, ApproveRunRequest.newBuilder()
                .setRunId(waiting).build(), refusal(Status.Code.FAILED_PRECONDITION, "PLAN_DIGEST_MISMATCH", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, waiting, "PLAN_DIGEST_MISMATCH"));
        add("approve with an upper-case digest", HostileRpc.APPROVE_RUN, approver, ApproveRunRequest.newBuilder()
                .setRunId(waiting).setPlanDigest(digest.toUpperCase(Locale.ROOT)).build(),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "plan_digest"),
                invalidRequest(approver, "INVALID_REQUEST", "ApproveRun"));
        add("approve with a comment of 1025 characters", HostileRpc.APPROVE_RUN, approver, ApproveRunRequest.newBuilder()
                .setRunId(waiting).setPlanDigest(digest).setComment("c".repeat(1025)).build(),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "comment"),
                invalidRequest(approver, "INVALID_REQUEST", "ApproveRun"));
        String approved = fixture.approved().getRunId();
        add("approve a run twice", HostileRpc.APPROVE_RUN, approver, ApproveRunRequest.newBuilder()
                .setRunId(approved).setPlanDigest(digest).build(), stateConflict(),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, approved, "RUN_STATE_CONFLICT"));
        HostileCaller admin = fixture.admin();
        add("approve an approved run as a second approver", HostileRpc.APPROVE_RUN, admin, ApproveRunRequest.newBuilder()
                .setRunId(approved).setPlanDigest(digest).build(), stateConflict(),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, approved, "RUN_STATE_CONFLICT"));
        String finished = fixture.plan().getRunId();
        add("approve a finished run", HostileRpc.APPROVE_RUN, approver, ApproveRunRequest.newBuilder()
                .setRunId(finished).build(), stateConflict(),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, finished, "RUN_STATE_CONFLICT"));
        String denied = fixture.denied().getRunId();
        add("approve a denied run", HostileRpc.APPROVE_RUN, approver, ApproveRunRequest.newBuilder()
                .setRunId(denied).build(), stateConflict(),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, denied, "RUN_STATE_CONFLICT"));
        String unknown = UUID.randomUUID().toString();
        add("approve a run that does not exist", HostileRpc.APPROVE_RUN, approver, ApproveRunRequest.newBuilder()
                .setRunId(unknown).build(), refusal(Status.Code.NOT_FOUND, "RUN_NOT_FOUND", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, unknown, "RUN_NOT_FOUND"));
        add("reject an approved run", HostileRpc.REJECT_RUN, approver, RejectRunRequest.newBuilder()
                .setRunId(approved).setReason("too late").build(), stateConflict(),
                onRun(AuditAction.AUDIT_ACTION_RUN_REJECTED, approved, "RUN_STATE_CONFLICT"));
        add("cancel a finished run", HostileRpc.CANCEL_RUN, fixture.requester(), CancelRunRequest.newBuilder()
                .setRunId(finished).build(), stateConflict(),
                onRun(AuditAction.AUDIT_ACTION_RUN_CANCELLED, finished, "RUN_STATE_CONFLICT"));
        fixture.adminsOwnApply().ifPresent(own -> add("approval of an own run by an admin who is also an approver",
                HostileRpc.APPROVE_RUN, admin, ApproveRunRequest.newBuilder().setRunId(own.getRunId()).setPlanDigest(digest)
                        .build(), refusal(Status.Code.PERMISSION_DENIED, "SELF_APPROVAL", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, own.getRunId(), "SELF_APPROVAL")));
    }

    /**
     * The requester, a CI identity, under other names: the two-person rule compares verified
     * SPIFFE IDs exactly, and only the approver role may approve at all, so every variant is
     * either not an identity or an identity without the role.
     */
    private void secondNames() {
        String requester = fixture.requester().identity();
        String path = requester.substring(domain.length());
        ApproveRunRequest approve = ApproveRunRequest.newBuilder().setRunId(fixture.awaiting().getRunId())
                .setPlanDigest(fixture.plan().getPlanArtifact().getSha256()).build();
        HostileCaller own = fixture.requester();
        add("requester approves its own run", HostileRpc.APPROVE_RUN, own, approve, roleRequired(),
                authFailed(own, "ROLE_REQUIRED"));
        for (String variant : List.of(domain + path.toUpperCase(Locale.ROOT), domain + path + "-2",
                "spiffe://evil.example" + path, domain + "/human/Admin", domain + "/human/admin/2",
                domain + "/human/approver-2")) {
            HostileCaller caller = who.verified(variant);
            add("approve as " + variant, HostileRpc.APPROVE_RUN, caller, approve, roleRequired(),
                    authFailed(caller, "ROLE_REQUIRED"));
        }
        for (String variant : List.of(requester + "/", domain + path.replace("/ci/", "/ci/./"), domain + path.replace("/ci/", "/ci//"),
                domain + path.replace("ci", "%63i"), "spiffe://" + DevPki.TRUST_DOMAIN.toUpperCase(Locale.ROOT) + path,
                domain + "/human/admin?as=" + path, domain + "/human/admin#x", "SPIFFE://" + DevPki.TRUST_DOMAIN + "/human/admin",
                domain + "/human/../human/approver")) {
            HostileCaller caller = HostileCaller.forged(Signer.SUITE_CA, "approver", List.of(CallerCertificates.uri(variant)));
            add("approve as not-an-identity " + variant, HostileRpc.APPROVE_RUN, caller, approve, identityInvalid(),
                    claimed(caller.claim(), "IDENTITY_INVALID"));
        }
    }

    private void certificateClaims() {
        String ci = who.ciName("claims");
        HostileCaller stranger = HostileCaller.forged(Signer.STRANGER_CA, "ci", List.of(CallerCertificates.uri(ci)));
        add("certificate from another CA claiming a CI identity", HostileRpc.SUBMIT_RUN, stranger, plan(),
                handshakeRefused(), claimed(ci, "CERTIFICATE_REJECTED"));
        String admin = domain + "/human/admin-" + who.tag();
        HostileCaller strangerAdmin = HostileCaller.forged(Signer.STRANGER_CA, "admin", List.of(CallerCertificates.uri(admin)));
        add("certificate from another CA claiming an admin", HostileRpc.GET_RUN, strangerAdmin, GetRunRequest.newBuilder()
                .setRunId(fixture.plan().getRunId()).build(), handshakeRefused(), claimed(admin, "CERTIFICATE_REJECTED"));
        String expiredId = who.ciName("expired");
        Instant now = Instant.now();
        HostileCaller expired = HostileCaller.forged(Signer.SUITE_CA, "ci", List.of(CallerCertificates.uri(expiredId)),
                new Validity(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))));
        add("expired certificate from the suite's CA", HostileRpc.SUBMIT_RUN, expired, plan(), handshakeRefused(),
                claimed(expiredId, "CERTIFICATE_REJECTED"));
        String futureId = who.ciName("future");
        HostileCaller future = HostileCaller.forged(Signer.SUITE_CA, "ci", List.of(CallerCertificates.uri(futureId)),
                new Validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2))));
        add("certificate not yet valid", HostileRpc.SUBMIT_RUN, future, plan(), handshakeRefused(),
                claimed(futureId, "CERTIFICATE_REJECTED"));
        String second = who.ciName("two");
        HostileCaller two = HostileCaller.forged(Signer.SUITE_CA, "ci", List.of(CallerCertificates.uri(second),
                CallerCertificates.uri(domain + "/human/admin")));
        add("certificate with two URI SANs (CI and admin)", HostileRpc.SUBMIT_RUN, two, plan(), identityInvalid(),
                claimed(second, "IDENTITY_INVALID"));
        String dnsOnly = "admin." + who.tag() + ".portcullis.dev";
        HostileCaller dns = HostileCaller.forged(Signer.SUITE_CA, domain + "/human/admin", List.of(CallerCertificates.dns(dnsOnly)));
        add("certificate with only a DNS SAN", HostileRpc.SUBMIT_RUN, dns, plan(), identityInvalid(),
                claimed(dnsOnly, "IDENTITY_INVALID"));
        String mail = "admin+" + who.tag() + "@portcullis.dev";
        HostileCaller email = HostileCaller.forged(Signer.SUITE_CA, "admin", List.of(CallerCertificates.email(mail)));
        add("certificate with only an e-mail SAN", HostileRpc.SUBMIT_RUN, email, plan(), identityInvalid(),
                claimed(mail, "IDENTITY_INVALID"));
        String https = "https://portcullis.dev/human/admin/" + who.tag();
        HostileCaller web = HostileCaller.forged(Signer.SUITE_CA, "admin", List.of(CallerCertificates.uri(https)));
        add("certificate whose URI SAN is not a SPIFFE ID", HostileRpc.SUBMIT_RUN, web, plan(), identityInvalid(),
                claimed(https, "IDENTITY_INVALID"));
        HostileCaller foreign = who.ciOf("evil.example");
        add("SPIFFE ID of another trust domain", HostileRpc.SUBMIT_RUN, foreign, plan(), roleRequired(),
                authFailed(foreign, "ROLE_REQUIRED"));
        // the verified identity is the URI SAN; the CN is only text
        HostileCaller cn = HostileCaller.verified(who.ciName("cn"), domain + "/human/admin");
        add("common name claiming the admin, URI SAN a CI identity", HostileRpc.APPROVE_RUN, cn, ApproveRunRequest.newBuilder()
                .setRunId(fixture.awaiting().getRunId()).build(), roleRequired(), authFailed(cn, "ROLE_REQUIRED"));
    }

    private void rolesOfOthers() {
        String waiting = fixture.awaiting().getRunId();
        HostileCaller reject = who.ci();
        add("CI identity rejects a run", HostileRpc.REJECT_RUN, reject, RejectRunRequest.newBuilder()
                .setRunId(waiting).setReason("no").build(), roleRequired(), authFailed(reject, "ROLE_REQUIRED"));
        HostileCaller cancel = who.ci();
        add("CI identity cancels another identity's run", HostileRpc.CANCEL_RUN, cancel, CancelRunRequest.newBuilder()
                .setRunId(waiting).build(), roleRequired(),
                onActorAndRun(AuditAction.AUDIT_ACTION_RUN_CANCELLED, cancel, waiting, "ROLE_REQUIRED"));
        HostileCaller auditor = who.auditor();
        add("auditor submits a run", HostileRpc.SUBMIT_RUN, auditor, plan(), roleRequired(),
                authFailed(auditor, "ROLE_REQUIRED", "SubmitRun"));
    }

    /** Bytes no protobuf encoder writes: the server must refuse them as malformed, not fail. */
    private void malformedMessages() {
        ByteArrayOutputStream nested = new ByteArrayOutputStream();
        for (int i = 0; i < 20_000; i++) {
            nested.write(0x7b); // field 15, start group
        }
        malformed("groups nested 20000 deep", nested.toByteArray());
        malformed("length running past the end", new byte[] {0x0a, 0x7f, 0x0a, 0x01, 0x61});
        malformed("varint of eleven bytes", new byte[] {0x28, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01});
        malformed("invalid UTF-8 in request_key", new byte[] {0x12, 0x03, (byte) 0xc3, 0x28, 0x41});
        malformed("end-group without start", new byte[] {0x0c});
    }

    // ---------------------------------------------------------------- AuditService

    private void auditQueries() {
        HostileCaller audit = who.ci();
        add("CI identity queries the audit log", HostileRpc.AUDIT_QUERY, audit, QueryRequest.newBuilder().setLimit(1).build(),
                roleRequired(), authFailed(audit, "ROLE_REQUIRED"));
    }

    // ---------------------------------------------------------------- row shapes

    private void add(String name, HostileRpc rpc, HostileCaller caller, Object request, ExpectedOutcome expected,
            ExpectedAudit audit) {
        cases.add(new HostileCase(name, rpc, caller, request, expected, audit));
    }

    private RunSpec.Builder spec() {
        return requests.spec();
    }

    /** The well-formed plan submission, under a key of its own. */
    private SubmitRunRequest plan() {
        return submit(spec()).build();
    }

    /** A submission of {@code spec} by a new CI identity, refused for a violation of {@code field}. */
    private void invalidSubmit(String name, RunSpec.Builder spec, String field) {
        invalid(name, submit(spec).build(), field);
    }

    /** {@code request} submitted by a new CI identity, refused for a violation of {@code field}. */
    private void invalid(String name, SubmitRunRequest request, String field) {
        HostileCaller caller = who.ci();
        add(name, HostileRpc.SUBMIT_RUN, caller, request, refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", field),
                invalidRequest(caller, "INVALID_REQUEST"));
    }

    private void invalidList(String name, ListRunsRequest request, String field) {
        HostileCaller caller = who.ci();
        add(name, HostileRpc.LIST_RUNS, caller, request, refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", field),
                invalidRequest(caller, "INVALID_REQUEST"));
    }

    /** A request about one run, by {@code caller} alone, refused for a violation of {@code field}. */
    private void invalidRunId(String name, HostileRpc rpc, HostileCaller caller, Object request, String field) {
        add(name, rpc, caller, request, refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", field),
                invalidRequest(caller, "INVALID_REQUEST"));
    }

    private void denied(String name, RunSpec.Builder spec, String reason) {
        HostileCaller caller = who.ci();
        add(name, HostileRpc.SUBMIT_RUN, caller, submit(spec).build(), new Denial(reason), policyDenied(caller, reason));
    }

    private void malformed(String name, byte[] bytes) {
        HostileCaller caller = who.ci();
        add("malformed bytes: " + name, HostileRpc.SUBMIT_RUN_BYTES, caller, bytes,
                refusal(Status.Code.INVALID_ARGUMENT, "REQUEST_MALFORMED", ""), invalidRequest(caller, "REQUEST_MALFORMED"));
    }

    private static Refusal refusal(Status.Code code, String reason, String field) {
        return new Refusal(code, reason, field);
    }

    private static Refusal roleRequired() {
        return refusal(Status.Code.PERMISSION_DENIED, "ROLE_REQUIRED", "");
    }

    private static Refusal identityInvalid() {
        return refusal(Status.Code.UNAUTHENTICATED, "IDENTITY_INVALID", "");
    }

    private static Refusal stateConflict() {
        return refusal(Status.Code.FAILED_PRECONDITION, "RUN_STATE_CONFLICT", "");
    }

    /** The TLS handshake fails, so the call never reaches a service: no status details. */
    private static Refusal handshakeRefused() {
        return refusal(Status.Code.UNAVAILABLE, "", "");
    }

    /** A value as a case name: escapes for anything not printable ASCII, long values cut. */
    private static String printable(String value) {
        StringBuilder text = new StringBuilder("'");
        value.codePoints().limit(40).forEach(c -> text.append(c >= 0x20 && c < 0x7f ? Character.toString(c)
                : String.format(Locale.ROOT, "\\u%04x", c)));
        return text.append(value.length() > 40 ? "…' (" + value.length() + " chars)" : "'").toString();
    }
}
