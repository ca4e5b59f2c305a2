package dev.portcullis.gateway.run;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** Runs and decisions for tests. */
public final class Runs {
    public static final SpiffeId CI = new SpiffeId("spiffe://test.example/ci/github/acme/infra");
    public static final Decision ALLOW = new Decision(true, List.of(new Decision.Reason("RULE_MATCHED", "rule 0 allows", "")),
            "infra rule 0 (line 9:7)", 0, "a".repeat(64), List.of("sh", "plan.sh"), List.of(new SecretGrant(
                    SecretGrant.Kind.KV, "secret/data/stage/infra")), "plan.out", false, List.of(), "file:///repo");

    /** Two steps, an environment, its own timeout and a Terraform summary: a real Terraform plan command. */
    public static final Decision TERRAFORM_PLAN = new Decision(true, ALLOW.reasons(), ALLOW.matchedRule(), 0,
            ALLOW.catalogVersion(), List.of(), List.of(), "tfplan", false, List.of(), ALLOW.repoUrl(),
            List.of(new CommandStep(List.of("terraform", "init", "-input=false"), false),
                    new CommandStep(List.of("terraform", "plan", "-detailed-exitcode", "-out=tfplan"), true)),
            Map.of("TF_IN_AUTOMATION", "1", "TF_INPUT", "0"), Duration.ofMinutes(20), PlanTool.TERRAFORM);

    /** A plan that creates one resource and deletes another. */
    public static final PlanSummary SUMMARY = new PlanSummary(PlanTool.TERRAFORM, "1.2",
            new PlanSummary.Counts(1, 0, 1, 0, 0, 0, 0, 0, 0),
            List.of(new PlanSummary.ResourceChange("terraform_data.web[\"eu\"]", "terraform_data", List.of("create"), "", false, ""),
                    new PlanSummary.ResourceChange("aws_db_instance.main", "aws_db_instance", List.of("delete"),
                            "delete_because_no_resource_config", false, "")),
            0, List.of("endpoint"), 0, List.of(), 0, true,
            "Plan: 1 to create, 0 to update, 0 to replace, 1 to delete.\n"
                    + "  + terraform_data.web[\"eu\"]\n  - aws_db_instance.main\n");

    /** For a run created without audit events. */
    public static final Function<Run, List<AuditEvent>> NO_AUDIT = run -> List.of();

    private Runs() {}

    public static RunSpec spec(String folder, String environment, String command) {
        return new RunSpec(new CatalogName("infra"), new CommitSha("0123456789abcdef0123456789abcdef01234567"),
                new GitRef("refs/heads/main"), RepoFolder.parse(folder), new CatalogName(environment), new CatalogName(command),
                Optional.empty());
    }

    public static Run queued(RunSpec spec, Instant now) {
        return Run.builder().id(RunId.random()).requestKey("key-" + UUID.randomUUID()).requester(CI).spec(spec)
                .state(RunState.QUEUED).decision(ALLOW).traceId("0af7651916cd43dd8448eb211c80319c").createdAt(now)
                .updatedAt(now).build();
    }
}
