package dev.portcullis.bench.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.portcullis.bench.reliability.CallerCertificates.Signer;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.IssuedCertificate;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.CancelRunRequest;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.WatchRunRequest;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * A corpus of attacks run against a live suite's gateway over real mTLS: path traversal in
 * every spelling, ref and SHA injection, oversized, malformed and unbounded messages, unknown
 * enum values, missing fields, replayed and self approvals, certificates claiming identities they
 * do not carry, and CI identities reaching for other repos, commands, environments and roles.
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
 * {@code human/admin}, as {@code portcullis dev} sets up. When the catalog also admits
 * {@code human/admin} as a caller of {@code example}, the admin's self-approval is tried too; a
 * repository whose callers exclude the corpus' CI identities is asked for when there is one.
 */
public final class HostileCorpus {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(20);
    private static final Duration RUN_DEADLINE = Duration.ofSeconds(120);
    private static final Duration AUDIT_DEADLINE = Duration.ofSeconds(30);
    private static final String REPO = "example";
    private static final int MESSAGE_OVER_LIMIT = 5 * 1024 * 1024;

    private final SuiteEndpoints suite;
    private final CallerCertificates certificates;
    private final String domain;
    private final String tag;
    private final String mainCommit;
    private final Optional<String> foreignRepo;
    private final boolean adminIsCaller;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<Tried> tried = new ArrayList<>();
    private int serial;

    private HostileCorpus(SuiteEndpoints suite, CatalogFacts facts) {
        this.suite = suite;
        Clock clock = Clock.systemUTC();
        DevPki pki = suite.pki();
        this.certificates = CallerCertificates.of(pki.caFile(), pki.dir().resolve("ca.key"),
                Validity.startingNow(clock, Duration.ofHours(2)));
        this.domain = "spiffe://" + DevPki.TRUST_DOMAIN;
        byte[] tag = new byte[4];
        RANDOM.nextBytes(tag);
        // every identity the corpus makes carries it, so two runs against one suite never mix
        this.tag = HexFormat.of().formatHex(tag);
        this.mainCommit = facts.mainCommit();
        this.foreignRepo = facts.foreignRepo();
        this.adminIsCaller = facts.adminIsCaller();
    }

    /**
     * Runs every case against the suite at {@code suite} and checks the audit log for each
     * refusal. Blocks until done (about 10-30 s on a quiet suite); the suite keeps the fixture runs
     * the corpus made (a plan in {@code prod/app}, applies of it).
     *
     * @throws IllegalStateException when the suite is not usable (unreachable, no dev catalog shape)
     */
    public static HostileReport run(SuiteEndpoints suite) {
        requireNonNull(suite, "suite is null");
        HostileCorpus corpus = new HostileCorpus(suite, CatalogFacts.read(suite.catalogFile(), REPO));
        try {
            return corpus.runAll();
        } finally {
            corpus.channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    private HostileReport runAll() {
        Instant began = Instant.now();
        Fixture fixture = fixture();
        folderTraversal();
        refAndShaInjection();
        fieldBounds();
        unknownEnumsAndMissingFields();
        policyRefusals(fixture);
        approvals(fixture);
        secondNames(fixture);
        certificateClaims(fixture);
        rolesOfOthers(fixture);
        malformedMessages();
        return report(began);
    }

    // ---------------------------------------------------------------- cases

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
        String sha = mainCommit;
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
        String megabyte = "a".repeat(1024 * 1024);
        invalidSubmit("folder of a megabyte", spec().setFolder(megabyte), "spec.folder");
        SubmitRunRequest.Builder longKey = submitRequest(spec()).setRequestKey("k".repeat(129));
        invalid("request key over 128 characters", ci(), longKey.build(), "request_key");
        invalid("request key with a space", ci(), submitRequest(spec()).setRequestKey("job 1").build(), "request_key");
        invalid("break-glass justification over 2048 characters", ci(),
                submitRequest(spec()).setBreakGlassJustification("j".repeat(2049)).build(), "break_glass_justification");
        invalid("break-glass justification too short", ci(),
                submitRequest(spec()).setBreakGlassJustification("because").build(), "break_glass_justification");
        invalid("break-glass justification with escapes", ci(), submitRequest(spec())
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
        Caller caller = ci();
        tryCase("list page token forged", caller, () -> gateway(caller).listRuns(ListRunsRequest.newBuilder()
                .setPageToken("1; DROP TABLE runs").build()), refusal(Status.Code.INVALID_ARGUMENT, "PAGE_TOKEN_INVALID", ""),
                invalidRequest(caller, "PAGE_TOKEN_INVALID"));
        Caller huge = ci();
        tryCase("message over the server's limit", huge, () -> gateway(huge).submitRun(submitRequest(spec()
                .setFolder("a".repeat(MESSAGE_OVER_LIMIT))).build()), refusal(Status.Code.RESOURCE_EXHAUSTED, "", ""),
                invalidRequest(huge, "REQUEST_TOO_LARGE"));
    }

    private void unknownEnumsAndMissingFields() {
        invalidList("list state 999", ListRunsRequest.newBuilder().addStatesValue(999).build(), "states[0]");
        invalidList("list state -1", ListRunsRequest.newBuilder().addStatesValue(-1).build(), "states[0]");
        invalidList("list state unspecified", ListRunsRequest.newBuilder().addStates(RunState.RUN_STATE_UNSPECIFIED).build(),
                "states[0]");
        invalid("submit without spec", ci(), SubmitRunRequest.newBuilder().setRequestKey(key()).build(), "spec.repo");
        invalid("submit without request key", ci(), SubmitRunRequest.newBuilder().setSpec(spec()).build(), "request_key");
        invalidSubmit("submit without commit", spec().clearCommitSha(), "spec.commit_sha");
        invalidSubmit("submit without ref", spec().clearRef(), "spec.ref");
        invalidSubmit("submit without command", spec().clearCommand(), "spec.command");
        Caller get = ci();
        tryCase("get without run id", get, () -> gateway(get).getRun(GetRunRequest.getDefaultInstance()),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "run_id"), invalidRequest(get, "INVALID_REQUEST"));
        Caller getTraversal = ci();
        tryCase("get run ../../etc/passwd", getTraversal, () -> gateway(getTraversal).getRun(GetRunRequest.newBuilder()
                .setRunId("../../etc/passwd").build()), refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "run_id"),
                invalidRequest(getTraversal, "INVALID_REQUEST"));
        Caller watch = ci();
        tryCase("watch without run id", watch, () -> gateway(watch).watchRun(WatchRunRequest.getDefaultInstance()).next(),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "run_id"), invalidRequest(watch, "INVALID_REQUEST"));
        Caller offset = ci();
        tryCase("watch from offset 2^64-1", offset, () -> gateway(offset).watchRun(WatchRunRequest.newBuilder()
                .setRunId(UUID.randomUUID().toString()).setFromOffset(-1L).build()).next(),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "from_offset"), invalidRequest(offset, "INVALID_REQUEST"));
        Caller cancel = ci();
        tryCase("cancel without run id", cancel, () -> gateway(cancel).cancelRun(CancelRunRequest.getDefaultInstance()),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "run_id"), invalidRequest(cancel, "INVALID_REQUEST"));
        Caller approver = approver();
        tryCase("approve without run id", approver, () -> gateway(approver).approveRun(ApproveRunRequest.getDefaultInstance()),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "run_id"),
                invalidRequest(approver, "INVALID_REQUEST", "ApproveRun"));
        Caller rejecter = approver();
        tryCase("reject without reason", rejecter, () -> gateway(rejecter).rejectRun(RejectRunRequest.newBuilder()
                .setRunId(UUID.randomUUID().toString()).build()), refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "reason"),
                invalidRequest(rejecter, "INVALID_REQUEST", "RejectRun"));
    }

    private void policyRefusals(Fixture fixture) {
        denied("repo not in the catalog", spec().setRepo("infra-live"), "UNKNOWN_REPO");
        foreignRepo.ifPresent(repo -> denied("repo whose callers exclude this CI identity", spec().setRepo(repo),
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
        Caller breakGlass = ci();
        tryCase("break-glass by a CI identity", breakGlass, () -> gateway(breakGlass).submitRun(submitRequest(spec())
                .setBreakGlassJustification("production is down and I need to deploy now").build()),
                refusal(Status.Code.PERMISSION_DENIED, "ROLE_REQUIRED", ""), onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED,
                        breakGlass, "ROLE_REQUIRED"));
        Caller planThief = ci();
        tryCase("apply naming a denied run as its plan", planThief, () -> gateway(planThief).submitRun(submitRequest(spec()
                .setCommand("apply").setFolder("prod/app").setEnvironment("prod").setPlanRunId(fixture.denied().getRunId()))
                .build()), refusal(Status.Code.FAILED_PRECONDITION, "PLAN_NOT_USABLE", ""),
                onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, planThief, "PLAN_NOT_USABLE"));
        Caller otherFolder = ci();
        tryCase("apply of a plan made for another folder", otherFolder, () -> gateway(otherFolder).submitRun(submitRequest(
                spec().setCommand("apply").setPlanRunId(fixture.plan().getRunId())).build()),
                refusal(Status.Code.FAILED_PRECONDITION, "PLAN_NOT_USABLE", ""),
                onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, otherFolder, "PLAN_NOT_USABLE"));
        Caller reuse = ci();
        String reusedKey = key();
        call(reuse, () -> gateway(reuse).submitRun(SubmitRunRequest.newBuilder().setRequestKey(reusedKey)
                .setSpec(spec().setRef("refs/tags/first")).build()));
        tryCase("request key replayed for another run", reuse, () -> gateway(reuse).submitRun(SubmitRunRequest.newBuilder()
                .setRequestKey(reusedKey).setSpec(spec().setRef("refs/tags/second")).build()),
                refusal(Status.Code.ALREADY_EXISTS, "REQUEST_KEY_REUSED", ""),
                onActor(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, reuse, "REQUEST_KEY_REUSED"));
    }

    private void approvals(Fixture fixture) {
        String waiting = fixture.awaiting().getRunId();
        String digest = fixture.plan().getPlanArtifact().getSha256();
        Caller approver = approver();
        tryCase("approve with a stale plan digest", approver, () -> gateway(approver).approveRun(ApproveRunRequest.newBuilder()
                .setRunId(waiting).setPlanDigest("0".repeat(64)).build()),
                refusal(Status.Code.FAILED_PRECONDITION, "PLAN_DIGEST_MISMATCH", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, waiting, "PLAN_DIGEST_MISMATCH"));
        tryCase("approve an apply without its plan digest", approver, () -> gateway(approver).approveRun(
                ApproveRunRequest.newBuilder().setRunId(waiting).build()),
                refusal(Status.Code.FAILED_PRECONDITION, "PLAN_DIGEST_MISMATCH", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, waiting, "PLAN_DIGEST_MISMATCH"));
        tryCase("approve with an upper-case digest", approver, () -> gateway(approver).approveRun(ApproveRunRequest.newBuilder()
                .setRunId(waiting).setPlanDigest(digest.toUpperCase(Locale.ROOT)).build()),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "plan_digest"),
                invalidRequest(approver, "INVALID_REQUEST", "ApproveRun"));
        tryCase("approve with a comment of 1025 characters", approver, () -> gateway(approver).approveRun(
                ApproveRunRequest.newBuilder().setRunId(waiting).setPlanDigest(digest).setComment("c".repeat(1025)).build()),
                refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "comment"),
                invalidRequest(approver, "INVALID_REQUEST", "ApproveRun"));
        String approved = fixture.approved().getRunId();
        tryCase("approve a run twice", approver, () -> gateway(approver).approveRun(ApproveRunRequest.newBuilder()
                .setRunId(approved).setPlanDigest(digest).build()),
                refusal(Status.Code.FAILED_PRECONDITION, "RUN_STATE_CONFLICT", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, approved, "RUN_STATE_CONFLICT"));
        Caller admin = admin();
        tryCase("approve an approved run as a second approver", admin, () -> gateway(admin).approveRun(
                ApproveRunRequest.newBuilder().setRunId(approved).setPlanDigest(digest).build()),
                refusal(Status.Code.FAILED_PRECONDITION, "RUN_STATE_CONFLICT", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, approved, "RUN_STATE_CONFLICT"));
        String finished = fixture.plan().getRunId();
        tryCase("approve a finished run", approver, () -> gateway(approver).approveRun(ApproveRunRequest.newBuilder()
                .setRunId(finished).build()), refusal(Status.Code.FAILED_PRECONDITION, "RUN_STATE_CONFLICT", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, finished, "RUN_STATE_CONFLICT"));
        String denied = fixture.denied().getRunId();
        tryCase("approve a denied run", approver, () -> gateway(approver).approveRun(ApproveRunRequest.newBuilder()
                .setRunId(denied).build()), refusal(Status.Code.FAILED_PRECONDITION, "RUN_STATE_CONFLICT", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, denied, "RUN_STATE_CONFLICT"));
        String unknown = UUID.randomUUID().toString();
        tryCase("approve a run that does not exist", approver, () -> gateway(approver).approveRun(ApproveRunRequest.newBuilder()
                .setRunId(unknown).build()), refusal(Status.Code.NOT_FOUND, "RUN_NOT_FOUND", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, unknown, "RUN_NOT_FOUND"));
        tryCase("reject an approved run", approver, () -> gateway(approver).rejectRun(RejectRunRequest.newBuilder()
                .setRunId(approved).setReason("too late").build()), refusal(Status.Code.FAILED_PRECONDITION, "RUN_STATE_CONFLICT", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_REJECTED, approved, "RUN_STATE_CONFLICT"));
        Caller requester = fixture.requester();
        tryCase("cancel a finished run", requester, () -> gateway(requester).cancelRun(CancelRunRequest.newBuilder()
                .setRunId(finished).build()), refusal(Status.Code.FAILED_PRECONDITION, "RUN_STATE_CONFLICT", ""),
                onRun(AuditAction.AUDIT_ACTION_RUN_CANCELLED, finished, "RUN_STATE_CONFLICT"));
        if (adminIsCaller) {
            Run own = call(admin, () -> gateway(admin).submitRun(submitRequest(spec().setCommand("apply").setFolder("prod/app")
                    .setEnvironment("prod").setPlanRunId(fixture.plan().getRunId())).build())).getRun();
            if (own.getState() != RunState.RUN_STATE_AWAITING_APPROVAL) {
                throw new IllegalStateException("the admin's apply should wait for approval; it is " + own.getState());
            }
            tryCase("approval of an own run by an admin who is also an approver", admin, () -> gateway(admin).approveRun(
                    ApproveRunRequest.newBuilder().setRunId(own.getRunId()).setPlanDigest(digest).build()),
                    refusal(Status.Code.PERMISSION_DENIED, "SELF_APPROVAL", ""),
                    onRun(AuditAction.AUDIT_ACTION_RUN_APPROVED, own.getRunId(), "SELF_APPROVAL"));
            call(admin, () -> gateway(admin).cancelRun(CancelRunRequest.newBuilder().setRunId(own.getRunId()).build()));
        }
    }

    /**
     * The requester, a CI identity, under other names: the two-person rule compares verified
     * SPIFFE IDs exactly, and only the approver role may approve at all, so every variant is
     * either not an identity or an identity without the role.
     */
    private void secondNames(Fixture fixture) {
        String waiting = fixture.awaiting().getRunId();
        String requester = fixture.requester().identity();
        String path = requester.substring(domain.length());
        Supplier<ApproveRunRequest> approve = () -> ApproveRunRequest.newBuilder().setRunId(waiting)
                .setPlanDigest(fixture.plan().getPlanArtifact().getSha256()).build();
        approveAs("requester approves its own run", fixture.requester(), approve, roleRequired());
        for (String variant : List.of(domain + path.toUpperCase(Locale.ROOT), domain + path + "-2",
                "spiffe://evil.example" + path, domain + "/human/Admin", domain + "/human/admin/2",
                domain + "/human/approver-2")) {
            approveAs("approve as " + variant, caller(variant), approve, roleRequired());
        }
        for (String variant : List.of(requester + "/", domain + path.replace("/ci/", "/ci/./"), domain + path.replace("/ci/", "/ci//"),
                domain + path.replace("ci", "%63i"), "spiffe://" + DevPki.TRUST_DOMAIN.toUpperCase(Locale.ROOT) + path,
                domain + "/human/admin?as=" + path, domain + "/human/admin#x", "SPIFFE://" + DevPki.TRUST_DOMAIN + "/human/admin",
                domain + "/human/../human/approver")) {
            approveAs("approve as not-an-identity " + variant, forged(Signer.SUITE_CA, "approver", List.of(CallerCertificates.uri(variant))),
                    approve, identityInvalid());
        }
    }

    private void certificateClaims(Fixture fixture) {
        String ci = domain + "/ci/hostile/" + tag + "/claims-" + (++serial);
        Supplier<SubmitRunRequest> submit = () -> submitRequest(spec()).build();
        Caller stranger = forged(Signer.STRANGER_CA, "ci", List.of(CallerCertificates.uri(ci)));
        tryCase("certificate from another CA claiming a CI identity", stranger, () -> gateway(stranger).submitRun(submit.get()),
                refusal(Status.Code.UNAVAILABLE, "", ""), claimed(ci, "CERTIFICATE_REJECTED"));
        String admin = domain + "/human/admin-" + tag;
        Caller strangerAdmin = forged(Signer.STRANGER_CA, "admin", List.of(CallerCertificates.uri(admin)));
        tryCase("certificate from another CA claiming an admin", strangerAdmin, () -> gateway(strangerAdmin).getRun(
                GetRunRequest.newBuilder().setRunId(fixture.plan().getRunId()).build()),
                refusal(Status.Code.UNAVAILABLE, "", ""), claimed(admin, "CERTIFICATE_REJECTED"));
        String expiredId = domain + "/ci/hostile/" + tag + "/expired-" + (++serial);
        Instant now = Instant.now();
        Caller expired = forged(Signer.SUITE_CA, "ci", List.of(CallerCertificates.uri(expiredId)),
                new Validity(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))));
        tryCase("expired certificate from the suite's CA", expired, () -> gateway(expired).submitRun(submit.get()),
                refusal(Status.Code.UNAVAILABLE, "", ""), claimed(expiredId, "CERTIFICATE_REJECTED"));
        String futureId = domain + "/ci/hostile/" + tag + "/future-" + (++serial);
        Caller future = forged(Signer.SUITE_CA, "ci", List.of(CallerCertificates.uri(futureId)),
                new Validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2))));
        tryCase("certificate not yet valid", future, () -> gateway(future).submitRun(submit.get()),
                refusal(Status.Code.UNAVAILABLE, "", ""), claimed(futureId, "CERTIFICATE_REJECTED"));
        String second = domain + "/ci/hostile/" + tag + "/two-" + (++serial);
        Caller two = forged(Signer.SUITE_CA, "ci", List.of(CallerCertificates.uri(second),
                CallerCertificates.uri(domain + "/human/admin")));
        tryCase("certificate with two URI SANs (CI and admin)", two, () -> gateway(two).submitRun(submit.get()),
                identityInvalid(), claimed(second, "IDENTITY_INVALID"));
        String dnsOnly = "admin." + tag + ".portcullis.dev";
        Caller dns = forged(Signer.SUITE_CA, domain + "/human/admin", List.of(CallerCertificates.dns(dnsOnly)));
        tryCase("certificate with only a DNS SAN", dns, () -> gateway(dns).submitRun(submit.get()), identityInvalid(),
                claimed(dnsOnly, "IDENTITY_INVALID"));
        String mail = "admin+" + tag + "@portcullis.dev";
        Caller email = forged(Signer.SUITE_CA, "admin", List.of(CallerCertificates.email(mail)));
        tryCase("certificate with only an e-mail SAN", email, () -> gateway(email).submitRun(submit.get()), identityInvalid(),
                claimed(mail, "IDENTITY_INVALID"));
        String https = "https://portcullis.dev/human/admin/" + tag;
        Caller web = forged(Signer.SUITE_CA, "admin", List.of(CallerCertificates.uri(https)));
        tryCase("certificate whose URI SAN is not a SPIFFE ID", web, () -> gateway(web).submitRun(submit.get()),
                identityInvalid(), claimed(https, "IDENTITY_INVALID"));
        String foreignDomain = "spiffe://evil.example/ci/hostile/" + tag + "/" + (++serial);
        Caller foreign = caller(foreignDomain);
        tryCase("SPIFFE ID of another trust domain", foreign, () -> gateway(foreign).submitRun(submit.get()), roleRequired(),
                authFailed(foreign, "ROLE_REQUIRED"));
        String ciUnderAdminName = domain + "/ci/hostile/" + tag + "/cn-" + (++serial);
        // the verified identity is the URI SAN; the CN is only text
        Caller cn = new Caller(ciUnderAdminName, ciUnderAdminName, forged(Signer.SUITE_CA, domain + "/human/admin",
                List.of(CallerCertificates.uri(ciUnderAdminName))).credentials());
        tryCase("common name claiming the admin, URI SAN a CI identity", cn, () -> gateway(cn).approveRun(
                ApproveRunRequest.newBuilder().setRunId(fixture.awaiting().getRunId()).build()), roleRequired(),
                authFailed(cn, "ROLE_REQUIRED"));
    }

    private void rolesOfOthers(Fixture fixture) {
        String waiting = fixture.awaiting().getRunId();
        Caller reject = ci();
        tryCase("CI identity rejects a run", reject, () -> gateway(reject).rejectRun(RejectRunRequest.newBuilder()
                .setRunId(waiting).setReason("no").build()), roleRequired(), authFailed(reject, "ROLE_REQUIRED"));
        Caller cancel = ci();
        tryCase("CI identity cancels another identity's run", cancel, () -> gateway(cancel).cancelRun(
                CancelRunRequest.newBuilder().setRunId(waiting).build()), refusal(Status.Code.PERMISSION_DENIED, "ROLE_REQUIRED", ""),
                event(AuditAction.AUDIT_ACTION_RUN_CANCELLED, "run.cancelled refused for " + cancel.identity(),
                        e -> e.getActor().equals(cancel.identity()) && e.getReason().equals("ROLE_REQUIRED")
                                && e.getResource().getRunId().equals(waiting)));
        Caller audit = ci();
        tryCase("CI identity queries the audit log", audit, () -> AuditServiceGrpc.newBlockingStub(channel(audit, suite.auditPort()))
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .query(QueryRequest.newBuilder().setLimit(1).build()).next(), roleRequired(), authFailed(audit, "ROLE_REQUIRED"));
        Caller auditor = caller(domain + "/human/auditor");
        tryCase("auditor submits a run", auditor, () -> gateway(auditor).submitRun(submitRequest(spec()).build()), roleRequired(),
                event(AuditAction.AUDIT_ACTION_AUTH_FAILED, "auth.failed for the auditor's SubmitRun",
                        e -> e.getActor().equals(auditor.identity()) && e.getReason().equals("ROLE_REQUIRED")
                                && e.getResource().getId().endsWith("/SubmitRun")));
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

    // ---------------------------------------------------------------- case helpers

    private void invalidSubmit(String name, RunSpec.Builder spec, String field) {
        invalid(name, ci(), submitRequest(spec).build(), field);
    }

    private void invalid(String name, Caller caller, SubmitRunRequest request, String field) {
        tryCase(name, caller, () -> gateway(caller).submitRun(request), refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST",
                field), invalidRequest(caller, "INVALID_REQUEST"));
    }

    private void invalidList(String name, ListRunsRequest request, String field) {
        Caller caller = ci();
        tryCase(name, caller, () -> gateway(caller).listRuns(request), refusal(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST",
                field), invalidRequest(caller, "INVALID_REQUEST"));
    }

    private void denied(String name, RunSpec.Builder spec, String reason) {
        Caller caller = ci();
        tryCase(name, caller, () -> gateway(caller).submitRun(submitRequest(spec).build()), new Denial(reason),
                event(AuditAction.AUDIT_ACTION_POLICY_DENIED, "policy.denied naming " + reason + " for " + caller.identity(),
                        e -> e.getActor().equals(caller.identity()) && e.getAttributesOrDefault("reasons", "").contains(reason)));
    }

    private void approveAs(String name, Caller caller, Supplier<ApproveRunRequest> request, Expected expected) {
        AuditExpectation audit = expected instanceof Refusal refusal && refusal.reason().equals("IDENTITY_INVALID")
                ? claimed(caller.claim(), "IDENTITY_INVALID")
                : authFailed(caller, ((Refusal) expected).reason());
        tryCase(name, caller, () -> gateway(caller).approveRun(request.get()), expected, audit);
    }

    private void malformed(String name, byte[] bytes) {
        Caller caller = ci();
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(GatewayServiceGrpc.getSubmitRunMethod().getFullMethodName())
                .setRequestMarshaller(RawBytes.INSTANCE)
                .setResponseMarshaller(RawBytes.INSTANCE)
                .build();
        tryCase("malformed bytes: " + name, caller, () -> ClientCalls.blockingUnaryCall(channel(caller, suite.gatewayPort()), raw,
                CallOptions.DEFAULT.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS), bytes),
                refusal(Status.Code.INVALID_ARGUMENT, "REQUEST_MALFORMED", ""), invalidRequest(caller, "REQUEST_MALFORMED"));
    }

    private static Refusal refusal(Status.Code code, String reason, String field) {
        return new Refusal(code, reason, field);
    }

    private static Refusal roleRequired() {
        return new Refusal(Status.Code.PERMISSION_DENIED, "ROLE_REQUIRED", "");
    }

    private static Refusal identityInvalid() {
        return new Refusal(Status.Code.UNAUTHENTICATED, "IDENTITY_INVALID", "");
    }

    private static AuditExpectation invalidRequest(Caller caller, String reason) {
        return event(AuditAction.AUDIT_ACTION_REQUEST_INVALID, "request.invalid " + reason + " by " + caller.identity(),
                e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason));
    }

    /** For callers shared between cases (the approvers): the method tells them apart within the case's window. */
    private static AuditExpectation invalidRequest(Caller caller, String reason, String method) {
        return event(AuditAction.AUDIT_ACTION_REQUEST_INVALID, "request.invalid " + reason + " of " + method + " by "
                + caller.identity(), e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason)
                        && e.getAttributesOrDefault("method", "").equals(method));
    }

    private static AuditExpectation authFailed(Caller caller, String reason) {
        return event(AuditAction.AUDIT_ACTION_AUTH_FAILED, "auth.failed " + reason + " for " + caller.identity(),
                e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason));
    }

    private static AuditExpectation onActor(AuditAction action, Caller caller, String reason) {
        return event(action, action + " " + reason + " for " + caller.identity(),
                e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason));
    }

    private static AuditExpectation onRun(AuditAction action, String runId, String reason) {
        return event(action, action + " " + reason + " on run " + runId,
                e -> e.getResource().getRunId().equals(runId) && e.getReason().equals(reason));
    }

    /** A refusal before any identity was verified: the event names what the certificate claimed, marked unverified. */
    private static AuditExpectation claimed(String claim, String reason) {
        return event(AuditAction.AUDIT_ACTION_AUTH_FAILED, "auth.failed " + reason + " naming the unverified claim " + claim,
                e -> e.getActor().isEmpty() && e.getReason().equals(reason)
                        && e.getAttributesOrDefault("unverified_names", "").contains(claim));
    }

    private static AuditExpectation event(AuditAction action, String description, Predicate<AuditEvent> matches) {
        return new AuditExpectation(action, description, matches);
    }

    private void tryCase(String name, Caller caller, Supplier<?> attempt, Expected expected, AuditExpectation audit) {
        Instant start = Instant.now();
        Object outcome;
        try {
            outcome = attempt.get();
        } catch (StatusRuntimeException e) {
            outcome = e;
        }
        Instant end = Instant.now();
        tried.add(new Tried(name, start, end, expected.mismatch(outcome), audit));
    }

    // ---------------------------------------------------------------- fixture

    /** Runs the refusals need: a finished plan, applies of it waiting and approved, a denied run. */
    private record Fixture(Caller requester, Run plan, Run awaiting, Run approved, Run denied) {}

    private Fixture fixture() {
        Caller requester = ci();
        Run submitted = call(requester, () -> gateway(requester).submitRun(submitRequest(spec().setFolder("prod/app")
                .setEnvironment("prod")).build())).getRun();
        Run plan = awaitFinal(requester, submitted.getRunId());
        if (plan.getState() != RunState.RUN_STATE_SUCCEEDED || !plan.hasPlanArtifact()) {
            throw new IllegalStateException("the corpus' fixture plan run " + plan.getRunId() + " ended " + plan.getState()
                    + " (" + plan.getStateReason() + "); the suite cannot run the dev catalog's plan");
        }
        String planId = plan.getRunId();
        Supplier<SubmitRunRequest> apply = () -> submitRequest(spec().setCommand("apply").setFolder("prod/app")
                .setEnvironment("prod").setPlanRunId(planId)).build();
        Run awaiting = call(requester, () -> gateway(requester).submitRun(apply.get())).getRun();
        Run toApprove = call(requester, () -> gateway(requester).submitRun(apply.get())).getRun();
        for (Run run : List.of(awaiting, toApprove)) {
            if (run.getState() != RunState.RUN_STATE_AWAITING_APPROVAL) {
                throw new IllegalStateException("the corpus' apply " + run.getRunId() + " should await approval in prod; it is "
                        + run.getState());
            }
        }
        Caller approver = approver();
        Run approved = call(approver, () -> gateway(approver).approveRun(ApproveRunRequest.newBuilder()
                .setRunId(toApprove.getRunId()).setPlanDigest(plan.getPlanArtifact().getSha256())
                .setComment("hostile corpus fixture").build())).getRun();
        Run denied = call(requester, () -> gateway(requester).submitRun(submitRequest(spec().setRef("refs/tags/denied")).build()))
                .getRun();
        if (denied.getState() != RunState.RUN_STATE_DENIED) {
            throw new IllegalStateException("a plan from a tag should be denied by the dev catalog; it is " + denied.getState());
        }
        return new Fixture(requester, plan, awaiting, approved, denied);
    }

    private Run awaitFinal(Caller caller, String runId) {
        Instant deadline = Instant.now().plus(RUN_DEADLINE);
        Set<RunState> running = EnumSet.of(RunState.RUN_STATE_SUBMITTED, RunState.RUN_STATE_QUEUED, RunState.RUN_STATE_RUNNING,
                RunState.RUN_STATE_AWAITING_APPROVAL);
        while (true) {
            Run run = call(caller, () -> gateway(caller).getRun(GetRunRequest.newBuilder().setRunId(runId).build())).getRun();
            if (!running.contains(run.getState()) || Instant.now().isAfter(deadline)) {
                return run;
            }
            pause(Duration.ofMillis(100));
        }
    }

    // ---------------------------------------------------------------- report

    private HostileReport report(Instant began) {
        Set<AuditAction> actions = EnumSet.noneOf(AuditAction.class);
        tried.forEach(t -> actions.add(t.audit().action()));
        Instant deadline = Instant.now().plus(AUDIT_DEADLINE);
        AuditTrail trail = new AuditTrail(channel(caller(domain + "/human/auditor"), suite.auditPort()));
        List<String> missing;
        while (true) {
            List<AuditEvent> events = trail.since(began.minusSeconds(1), actions, CALL_DEADLINE);
            missing = new ArrayList<>();
            for (Tried t : tried) {
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
        for (Tried t : tried) {
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

    // ---------------------------------------------------------------- callers and channels

    /** Who calls: the identity the gateway should see (or "" for none) and what the certificate claims. */
    private record Caller(String identity, String claim, ChannelCredentials credentials) {}

    private Caller ci() {
        return caller(domain + "/ci/hostile/" + tag + "/" + (++serial));
    }

    private Caller approver() {
        return caller(domain + "/human/approver");
    }

    private Caller admin() {
        return caller(domain + "/human/admin");
    }

    private Caller caller(String identity) {
        IssuedCertificate certificate = certificates.issue(Signer.SUITE_CA, "hostile " + serial,
                List.of(CallerCertificates.uri(identity)), Validity.startingNow(Clock.systemUTC(), Duration.ofHours(1)));
        return new Caller(identity, identity, certificates.credentials(certificate));
    }

    private Caller forged(Signer signer, String commonName, List<GeneralName> names) {
        return forged(signer, commonName, names, Validity.startingNow(Clock.systemUTC(), Duration.ofHours(1)));
    }

    private Caller forged(Signer signer, String commonName, List<GeneralName> names, Validity validity) {
        IssuedCertificate certificate = certificates.issue(signer, commonName, names, validity);
        return new Caller("", names.get(0).getName().toString(), certificates.credentials(certificate));
    }

    private GatewayServiceGrpc.GatewayServiceBlockingStub gateway(Caller caller) {
        return GatewayServiceGrpc.newBlockingStub(channel(caller, suite.gatewayPort()))
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private ManagedChannel channel(Caller caller, int port) {
        // the dev service certificates name localhost; the suite's host is loopback
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(suite.host(), port, caller.credentials())
                .overrideAuthority("localhost:" + port)
                .maxInboundMessageSize(16 * 1024 * 1024)
                .build();
        channels.add(channel);
        return channel;
    }

    private static <T> T call(Caller caller, Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException("a fixture call by " + caller.identity() + " failed: " + e.getStatus().getCode() + " "
                    + e.getStatus().getDescription(), e);
        }
    }

    // ---------------------------------------------------------------- requests

    private RunSpec.Builder spec() {
        return RunSpec.newBuilder().setRepo(REPO).setCommitSha(mainCommit).setRef("refs/heads/main").setFolder("stage/app")
                .setEnvironment("stage").setCommand("plan");
    }

    private static SubmitRunRequest.Builder submitRequest(RunSpec.Builder spec) {
        return SubmitRunRequest.newBuilder().setSpec(spec).setRequestKey(key());
    }

    private static String key() {
        return "hostile-" + UUID.randomUUID();
    }

    /** A value as a case name: escapes for anything not printable ASCII, long values cut. */
    private static String printable(String value) {
        StringBuilder text = new StringBuilder("'");
        value.codePoints().limit(40).forEach(c -> text.append(c >= 0x20 && c < 0x7f ? Character.toString(c)
                : String.format(Locale.ROOT, "\\u%04x", c)));
        return text.append(value.length() > 40 ? "…' (" + value.length() + " chars)" : "'").toString();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- expectations

    /** What a case must get back. */
    private sealed interface Expected permits Refusal, Denial {
        /** Why {@code outcome} (a response or a {@link StatusRuntimeException}) is not what was expected. */
        Optional<String> mismatch(Object outcome);
    }

    /** A gRPC error with this code, {@code ErrorInfo} reason ("" = none) and {@code BadRequest} field ("" = any). */
    private record Refusal(Status.Code code, String reason, String field) implements Expected {
        @Override
        public Optional<String> mismatch(Object outcome) {
            if (!(outcome instanceof StatusRuntimeException error)) {
                return Optional.of("expected " + code + " " + reason + " but the call succeeded"
                        + (outcome instanceof dev.portcullis.v1.SubmitRunResponse r ? " (run " + r.getRun().getState() + ")" : ""));
            }
            String got = error.getStatus().getCode() + " " + reasonOf(error);
            if (error.getStatus().getCode() != code || !reasonOf(error).equals(reason)) {
                return Optional.of("expected " + code + " " + reason + ", got " + got);
            }
            if (!field.isEmpty() && !fieldsOf(error).contains(field)) {
                return Optional.of("expected a violation of " + field + ", got " + fieldsOf(error));
            }
            return Optional.empty();
        }
    }

    /** A run the policy denied, naming {@code reason} among its reasons. */
    private record Denial(String reason) implements Expected {
        @Override
        public Optional<String> mismatch(Object outcome) {
            if (outcome instanceof StatusRuntimeException error) {
                return Optional.of("expected a DENIED run (" + reason + "), got " + error.getStatus().getCode() + " "
                        + reasonOf(error));
            }
            Run run = ((dev.portcullis.v1.SubmitRunResponse) outcome).getRun();
            if (run.getState() != RunState.RUN_STATE_DENIED
                    || run.getDecision().getReasonsList().stream().noneMatch(r -> r.getCode().equals(reason))) {
                return Optional.of("expected a DENIED run naming " + reason + ", got " + run.getState() + " "
                        + run.getDecision().getReasonsList().stream().map(r -> r.getCode()).toList());
            }
            return Optional.empty();
        }
    }

    private static String reasonOf(StatusRuntimeException error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return "";
        }
        return status.getDetailsList().stream().filter(any -> any.is(ErrorInfo.class)).findFirst().map(any -> {
            try {
                return any.unpack(ErrorInfo.class).getReason();
            } catch (InvalidProtocolBufferException e) {
                return "<unreadable ErrorInfo>";
            }
        }).orElse("");
    }

    private static List<String> fieldsOf(StatusRuntimeException error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return List.of();
        }
        List<String> fields = new ArrayList<>();
        status.getDetailsList().stream().filter(any -> any.is(BadRequest.class)).forEach(any -> {
            try {
                any.unpack(BadRequest.class).getFieldViolationsList().forEach(v -> fields.add(v.getField()));
            } catch (InvalidProtocolBufferException e) {
                fields.add("<unreadable BadRequest>");
            }
        });
        return fields;
    }

    /** The audit event a refusal must leave: its action, and what marks it as this case's. */
    private record AuditExpectation(AuditAction action, String description, Predicate<AuditEvent> matches) {}

    /** A case as tried: its window, how its answer differed from the expected one, and the audit event it owes. */
    private record Tried(String name, Instant start, Instant end, Optional<String> mismatch, AuditExpectation audit) {
        boolean auditedBy(AuditEvent event) {
            Instant at = Instant.ofEpochSecond(event.getTime().getSeconds(), event.getTime().getNanos());
            // the service stamps the event while it handles the call, so inside the case's window
            // (a millisecond of slack for stores that keep milliseconds)
            return event.getAction() == audit.action() && !at.isBefore(start.minusMillis(1)) && !at.isAfter(end.plusMillis(1))
                    && audit.matches().test(event);
        }
    }

    /** What the corpus needs to know of the catalog: the demo repo's main commit, and optional extras. */
    private record CatalogFacts(String mainCommit, Optional<String> foreignRepo, boolean adminIsCaller) {
        static CatalogFacts read(Path catalogFile, String repo) {
            dev.portcullis.catalog.Catalog catalog;
            try {
                catalog = new dev.portcullis.catalog.CatalogLoader().load(catalogFile.toString(),
                        java.nio.file.Files.readAllBytes(catalogFile));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the suite's catalog " + catalogFile, e);
            }
            var home = catalog.repo(new dev.portcullis.runtime.request.CatalogName(repo)).orElseThrow(() ->
                    new IllegalStateException("the hostile corpus needs repo '" + repo + "' in " + catalogFile));
            if (!home.url().startsWith("file://")) {
                throw new IllegalStateException("the hostile corpus needs repo '" + repo + "' to be a local file:// repository");
            }
            String commit = git(Path.of(URI.create(home.url())), "rev-parse", "refs/heads/main");
            dev.portcullis.runtime.identity.SpiffeId corpusCi = new dev.portcullis.runtime.identity.SpiffeId(
                    "spiffe://" + DevPki.TRUST_DOMAIN + "/ci/hostile/x/1");
            dev.portcullis.runtime.identity.SpiffeId admin = DevPki.Member.ADMIN.identity();
            Optional<String> foreign = catalog.repos().values().stream()
                    .filter(r -> r.callers().stream().noneMatch(p -> p.matches(corpusCi)))
                    .map(r -> r.name().value()).findFirst();
            boolean adminCaller = home.callers().stream().anyMatch(p -> p.matches(admin));
            return new CatalogFacts(commit, foreign, adminCaller);
        }

        private static String git(Path repo, String... args) {
            List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
            command.addAll(List.of(args));
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
                if (process.waitFor() != 0 || !out.matches("[0-9a-f]{40}")) {
                    throw new IllegalStateException("git rev-parse in " + repo + " failed: " + out);
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run git in " + repo, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Sends and receives bytes as they are, so the corpus can send what no encoder writes. */
    private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
