package dev.portcullis.bench;

import dev.portcullis.bench.Bench.Figure;
import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.condition.PlanInput;
import dev.portcullis.policy.api.PolicyGrpcService;
import dev.portcullis.policy.catalog.ActiveCatalog;
import dev.portcullis.policy.decision.EvaluationRequest;
import dev.portcullis.policy.decision.PlanReference;
import dev.portcullis.policy.decision.PolicyEngine;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Policy decisions: in-process throughput over a catalog of 200 repositories, and Evaluate
 * latency over gRPC with mTLS next to a no-op call (health Check) on the same channel and
 * server, in alternating rounds. Applies bound to a plan summary of {@value #PLAN_RESOURCES}
 * resources are decided with and without two plan rules on their rule, in alternating rounds:
 * what plan rules cost.
 */
final class PolicyBench {
    private static final int REPOS = 200;
    private static final int REQUESTS = 4096;
    private static final long IN_PROCESS_ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    private static final long IN_PROCESS_MAX_DECISIONS = 50_000_000L;
    private static final int GRPC_WARMUP = 20_000;
    // short alternating rounds, so both calls see the same machine conditions
    private static final int GRPC_ROUNDS = 40;
    private static final int GRPC_CALLS_PER_ROUND = 500;
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    private static final int PLAN_RESOURCES = 20;
    /**
     * The plan rules of the plan-rule figure: "no destroy of databases", held by no bench plan, and
     * approvals on counts, held by every bench plan.
     */
    private static final String PLAN_RULES = ", deny_when: [{when: '\"aws_db_instance\" in plan.types_by_action[\"delete\"]',"
            + " reason: \"no destroy of databases\"}], approvals_when: [{when: 'plan.delete + plan.replace > 0', approvals: 2}]";
    /** The same rules with the deny written as a CEL comprehension: it looks at every listed resource. */
    private static final String ITERATING_PLAN_RULES = ", deny_when: [{when: 'plan.resources.exists(r, r.type =="
            + " \"aws_db_instance\" && \"delete\" in r.actions)', reason: \"no destroy of databases\"}],"
            + " approvals_when: [{when: 'plan.delete + plan.replace > 0', approvals: 2}]";

    Map<String, Figure> run() throws Exception {
        String yaml = catalog(false, "");
        Catalog catalog = new CatalogLoader().load("bench.yaml", yaml.getBytes(StandardCharsets.UTF_8));
        List<EvaluationRequest> requests = requests();
        Instant now = Instant.parse("2026-11-24T09:00:00Z");
        long allowed = requests.stream().filter(r -> PolicyEngine.decide(catalog, r, now).allowed()).count();

        // the same catalog with a CEL `when` on every rule that holds for every request: what conditions cost
        Catalog withConditions = new CatalogLoader().load("bench-when.yaml", catalog(true, "").getBytes(StandardCharsets.UTF_8));
        inProcess(catalog, requests, now, 1); // warm-up
        inProcess(withConditions, requests, now, 1);
        // alternating rounds, the best of each, so both see the same machine and the same JIT state
        double oneThread = 0;
        double oneThreadWithConditions = 0;
        for (int round = 0; round < 3; round++) {
            oneThread = Math.max(oneThread, inProcess(catalog, requests, now, 1));
            oneThreadWithConditions = Math.max(oneThreadWithConditions, inProcess(withConditions, requests, now, 1));
        }
        double allThreads = inProcess(catalog, requests, now, Runtime.getRuntime().availableProcessors());

        // applies with a plan summary, decided by the catalog without plan rules and by the same catalog with two
        Catalog withPlanRules = new CatalogLoader().load("bench-plan-rules.yaml",
                catalog(false, PLAN_RULES).getBytes(StandardCharsets.UTF_8));
        Catalog withIteratingPlanRules = new CatalogLoader().load("bench-iterating-plan-rules.yaml",
                catalog(false, ITERATING_PLAN_RULES).getBytes(StandardCharsets.UTF_8));
        List<EvaluationRequest> applies = appliesWithSummary();
        for (Catalog rules : List.of(withPlanRules, withIteratingPlanRules)) {
            long raised = applies.stream().map(r -> PolicyEngine.decide(rules, r, now))
                    .filter(d -> d.allowed() && d.requiredApprovals() == 2).count();
            if (raised != applies.size()) {
                throw new IllegalStateException("every bench apply must be allowed with 2 approvals by the plan rules, not "
                        + raised + " of " + applies.size());
            }
        }
        inProcess(catalog, applies, now, 1); // warm-up
        inProcess(withPlanRules, applies, now, 1);
        inProcess(withIteratingPlanRules, applies, now, 1);
        double applyOneThread = 0;
        double applyOneThreadWithPlanRules = 0;
        double applyOneThreadWithIteratingPlanRules = 0;
        for (int round = 0; round < 3; round++) {
            applyOneThread = Math.max(applyOneThread, inProcess(catalog, applies, now, 1));
            applyOneThreadWithPlanRules = Math.max(applyOneThreadWithPlanRules, inProcess(withPlanRules, applies, now, 1));
            applyOneThreadWithIteratingPlanRules = Math.max(applyOneThreadWithIteratingPlanRules,
                    inProcess(withIteratingPlanRules, applies, now, 1));
        }

        Path file = Files.createTempFile("portcullis-bench-catalog", ".yaml");
        Files.writeString(file, yaml);
        Latencies grpc = new Latencies();
        Latencies baseline = new Latencies();
        try (ActiveCatalog active = new ActiveCatalog(new CatalogLoader(), file, Clock.systemUTC(), new dev.portcullis.runtime.audit.UnroutedAuditRecorder());
                LoopbackMtls mtls = new LoopbackMtls(List.of(new PolicyGrpcService(
                        new PolicyEngine(active, Clock.systemUTC()), active, new CatalogLoader())))) {
            PolicyServiceGrpc.PolicyServiceBlockingStub policy = PolicyServiceGrpc.newBlockingStub(mtls.channel());
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(mtls.channel());
            List<EvaluateRequest> protos = requests.stream().limit(512).map(PolicyBench::proto).toList();
            int[] next = {0};
            Runnable evaluate = () -> policy.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .evaluate(protos.get(next[0]++ % protos.size()));
            Runnable noop = () -> health.withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
            new Latencies().measure(GRPC_WARMUP, evaluate);
            new Latencies().measure(GRPC_WARMUP, noop);
            for (int round = 0; round < GRPC_ROUNDS; round++) {
                baseline.measure(GRPC_CALLS_PER_ROUND, noop);
                grpc.measure(GRPC_CALLS_PER_ROUND, evaluate);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("decisions_per_s", new Figure(Math.round(allThreads), "1/s",
                "in-process decisions, " + Runtime.getRuntime().availableProcessors() + " threads, " + REPOS + " repos"));
        figures.put("decisions_per_s_one_thread", new Figure(Math.round(oneThread), "1/s", "same, one thread"));
        figures.put("decisions_per_s_one_thread_with_conditions", new Figure(Math.round(oneThreadWithConditions), "1/s",
                "same, every rule with a CEL `when` that holds"));
        figures.put("condition_cost", new Figure(round(oneThread / oneThreadWithConditions), "x",
                "decisions_per_s_one_thread / decisions_per_s_one_thread_with_conditions"));
        figures.put("apply_decisions_per_s_one_thread", new Figure(Math.round(applyOneThread), "1/s",
                "in-process decisions, one thread: allowed applies bound to a plan summary of " + PLAN_RESOURCES
                        + " resources, their rule without plan rules"));
        figures.put("apply_decisions_per_s_one_thread_with_plan_rules", new Figure(Math.round(applyOneThreadWithPlanRules), "1/s",
                "same applies, their rule with a deny_when over plan.types_by_action and an approvals_when over counts"));
        figures.put("plan_rule_cost", new Figure(round(applyOneThread / applyOneThreadWithPlanRules), "x",
                "apply_decisions_per_s_one_thread / apply_decisions_per_s_one_thread_with_plan_rules (goal <= 2)"));
        figures.put("apply_decisions_per_s_one_thread_with_iterating_plan_rules",
                new Figure(Math.round(applyOneThreadWithIteratingPlanRules), "1/s",
                        "same, the deny_when written as plan.resources.exists(r, ...) over the " + PLAN_RESOURCES + " resources"));
        figures.put("iterating_plan_rule_cost", new Figure(round(applyOneThread / applyOneThreadWithIteratingPlanRules), "x",
                "apply_decisions_per_s_one_thread / apply_decisions_per_s_one_thread_with_iterating_plan_rules"));
        figures.put("grpc_p50_us", new Figure(round(grpc.percentileMicros(50)), "us", "Evaluate over mTLS, median"));
        figures.put("grpc_p99_us", new Figure(round(grpc.percentileMicros(99)), "us", "Evaluate over mTLS, 99th percentile"));
        figures.put("baseline_p50_us", new Figure(round(baseline.percentileMicros(50)), "us",
                "baseline: no-op call on the same channel, median"));
        figures.put("baseline_p99_us", new Figure(round(baseline.percentileMicros(99)), "us", "baseline: 99th percentile"));
        figures.put("p99_overhead", new Figure(round(grpc.percentileMicros(99) / baseline.percentileMicros(99) - 1), "x",
                "grpc_p99_us / baseline_p99_us - 1 (target < 0.2)"));
        figures.put("p50_overhead", new Figure(round(grpc.percentileMicros(50) / baseline.percentileMicros(50) - 1), "x",
                "grpc_p50_us / baseline_p50_us - 1"));
        figures.put("allowed_share", new Figure(round((double) allowed / requests.size()), "", "share of requests allowed"));
        return figures;
    }

    private static double inProcess(Catalog catalog, List<EvaluationRequest> requests, Instant now, int threads)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long deadline = System.nanoTime() + IN_PROCESS_ROUND_NANOS;
            long start = System.nanoTime();
            List<Future<Long>> counts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t * 97;
                counts.add(pool.submit(() -> {
                    long decisions = 0;
                    long sink = 0;
                    while (decisions < IN_PROCESS_MAX_DECISIONS / threads) {
                        for (int i = 0; i < 1024; i++) {
                            sink += PolicyEngine.decide(catalog, requests.get((offset + (int) decisions + i) % requests.size()), now)
                                    .reasons().size();
                        }
                        decisions += 1024;
                        if (System.nanoTime() > deadline) {
                            break;
                        }
                    }
                    return sink < 0 ? -1 : decisions;
                }));
            }
            long total = 0;
            for (Future<Long> count : counts) {
                total += count.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /**
     * A catalog of {@value #REPOS} repositories shaped like the example catalog; with {@code conditions},
     * every rule also carries a CEL {@code when} that holds for every request of {@link #requests()};
     * every apply rule also carries {@code planRules} (flow-mapping entries starting with a comma, or empty).
     */
    static String catalog(boolean conditions, String planRules) {
        String when = conditions ? ", when: 'request.folder.startsWith(request.environment + \"/\")'" : "";
        String applyRules = planRules;
        StringBuilder yaml = new StringBuilder("""
                version: 1
                environments:
                  stage: { approvals: 0 }
                  prod: { approvals: 1, change_windows: ["Mon-Fri 08:00-18:00 Europe/Berlin"] }
                commands:
                  plan: { argv: ["terraform", "plan", "-input=false", "-var=environment=${environment}", "-out=plan.tfplan"], produces: plan.tfplan }
                  apply: { argv: ["terraform", "apply", "-input=false", "plan.tfplan"], requires_plan: true, changes_infrastructure: true }
                repos:
                """);
        for (int i = 0; i < REPOS; i++) {
            String name = String.format("repo-%03d", i);
            yaml.append("  - name: ").append(name).append('\n')
                    .append("    url: https://github.com/acme/").append(name).append(".git\n")
                    .append("    folders: [\"stage/**\", \"prod/**\"]\n")
                    .append("    callers: [\"spiffe://bench.example/ci/github/acme/").append(name).append("\"]\n")
                    .append("    rules:\n")
                    .append("      - { commands: [plan], refs: [\"refs/heads/*\", \"refs/pull/*/head\"], environments: [stage, prod]")
                    .append(when).append(" }\n")
                    .append("      - { commands: [apply], refs: [\"refs/heads/main\"], environments: [stage, prod]").append(when)
                    .append(applyRules).append(" }\n")
                    .append("    secrets:\n")
                    .append("      prod: { plan: [\"kv:secret/data/prod/").append(name).append("\"], apply: [\"kv:secret/data/prod/")
                    .append(name).append("\", \"aws:aws/creds/deploy-prod\"] }\n");
        }
        return yaml.toString();
    }

    /** A fixed mix: mostly allowed plans and applies, some denials (wrong caller, wrong ref, unknown repo). */
    static List<EvaluationRequest> requests() {
        Random random = new Random(42);
        List<EvaluationRequest> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            int repo = random.nextInt(REPOS);
            int kind = random.nextInt(20);
            String name = String.format("repo-%03d", kind == 19 ? REPOS + repo : repo);
            String caller = "spiffe://bench.example/ci/github/acme/" + String.format("repo-%03d", kind == 18 ? (repo + 1) % REPOS : repo);
            boolean apply = kind < 4;
            String ref = kind == 17 ? "refs/heads/feature-" + i : apply ? "refs/heads/main" : "refs/pull/" + i + "/head";
            String environment = random.nextBoolean() ? "prod" : "stage";
            PlanReference plan = apply
                    ? new PlanReference.Bound(RunId.random(), new CommitSha(SHA), new Sha256Digest("b".repeat(64)))
                    : new PlanReference.None();
            requests.add(new EvaluationRequest(new SpiffeId(caller), new CatalogName(name), new CommitSha(SHA),
                    new GitRef(ref), RepoFolder.parse(environment + "/network"), new CatalogName(environment),
                    new CatalogName(apply ? "apply" : "plan"), plan, false));
        }
        return requests;
    }

    /**
     * Allowed applies from main, each bound to a plan summary of {@value #PLAN_RESOURCES} resources
     * (creates, updates, a replace and deletes of several types, never a database): every plan rule
     * runs, and the deny looks at every resource.
     */
    static List<EvaluationRequest> appliesWithSummary() {
        String[] types = {"aws_s3_bucket", "aws_iam_role", "aws_security_group", "aws_route53_record", "terraform_data"};
        List<PlanInput.PlanResource> resources = new ArrayList<>();
        long create = 0;
        long update = 0;
        long delete = 0;
        long replace = 0;
        for (int i = 0; i < PLAN_RESOURCES; i++) {
            List<String> actions = switch (i % 5) {
                case 2 -> List.of("update");
                case 3 -> i == 3 ? List.of("delete", "create") : List.of("delete");
                default -> List.of("create");
            };
            create += actions.equals(List.of("create")) ? 1 : 0;
            update += actions.equals(List.of("update")) ? 1 : 0;
            delete += actions.equals(List.of("delete")) ? 1 : 0;
            replace += actions.size() == 2 ? 1 : 0;
            String type = types[i % types.length];
            resources.add(new PlanInput.PlanResource("module.app." + type + ".r" + i, type, actions));
        }
        PlanInput summary = new PlanInput(new PlanInput.Counts(create, update, delete, replace, 0, 0, 0, 0), true,
                resources, 0, List.of("endpoint"));
        Random random = new Random(43);
        List<EvaluationRequest> applies = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String name = String.format("repo-%03d", random.nextInt(REPOS));
            applies.add(new EvaluationRequest(new SpiffeId("spiffe://bench.example/ci/github/acme/" + name),
                    new CatalogName(name), new CommitSha(SHA), new GitRef("refs/heads/main"), RepoFolder.parse("stage/network"),
                    new CatalogName("stage"), new CatalogName("apply"),
                    new PlanReference.Bound(RunId.random(), new CommitSha(SHA), new Sha256Digest("b".repeat(64)), summary),
                    false));
        }
        return applies;
    }

    private static EvaluateRequest proto(EvaluationRequest request) {
        EvaluateRequest.Builder proto = EvaluateRequest.newBuilder()
                .setCaller(request.caller().value()).setRepo(request.repo().value())
                .setCommitSha(request.commit().value()).setRef(request.ref().value())
                .setFolder(request.folder().value()).setEnvironment(request.environment().value())
                .setCommand(request.command().value());
        if (request.plan() instanceof PlanReference.Bound bound) {
            proto.setPlan(dev.portcullis.v1.PlanBinding.newBuilder().setPlanRunId(bound.planRunId().value())
                    .setCommitSha(bound.commit().value()).setArtifactSha256(bound.artifact().value()));
        }
        return proto.build();
    }
}
