package dev.portcullis.gateway.run;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** Runs and decisions for tests. */
public final class Runs {
    public static final SpiffeId CI = new SpiffeId("spiffe://test.example/ci/github/acme/infra");
    public static final Decision ALLOW = new Decision(true, List.of(new Decision.Reason("RULE_MATCHED", "rule 0 allows", "")),
            "infra rule 0 (line 9:7)", 0, "a".repeat(64), List.of("sh", "plan.sh"), List.of(new SecretGrant(
                    SecretGrant.Kind.KV, "secret/data/stage/infra")), "plan.out", false, List.of(), "file:///repo");

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
