package dev.portcullis.cli.catalog;

import dev.portcullis.catalog.PlanSummaryTool;
import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.CatalogRejectedException;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.command.FileArguments;
import dev.portcullis.policy.api.EvaluationRequests;
import dev.portcullis.policy.decision.Decision;
import dev.portcullis.policy.decision.PolicyEngine;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.PlanBinding;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis catalog}: check a Service Catalog and explain decisions, offline. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Checks a Service Catalog file and explains decisions against it, without a server.",
        subcommands = {CatalogCommand.Validate.class, CatalogCommand.Explain.class})
public final class CatalogCommand {

    static Catalog load(Path file) {
        try {
            return new CatalogLoader().load(file.toString(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** {@code portcullis catalog validate FILE}: exit 0 when valid, INVALID_CATALOG with every problem otherwise. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Validates a catalog file the way the policy service does; for the catalog repository's CI.",
                "Prints every problem as FILE:LINE:COLUMN: FIELD: REASON."})
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The catalog YAML file.")
        Path file;

        @Override
        public Integer call() {
            FileArguments.existingFile(spec, "FILE", file);
            PrintWriter out = spec.commandLine().getOut();
            try {
                Catalog catalog = load(file);
                out.printf("%s: valid (version %s; %d environments, %d commands, %d repos)%n", file,
                        catalog.version(), catalog.environments().size(), catalog.commands().size(), catalog.repos().size());
                out.flush();
                return ExitStatus.SUCCESS.code();
            } catch (CatalogRejectedException e) {
                PrintWriter err = spec.commandLine().getErr();
                e.problems().forEach(err::println);
                err.printf("%s: refused, %d problem(s)%n", file, e.problems().size());
                err.flush();
                return ExitStatus.INVALID_CATALOG.code();
            }
        }
    }

    /** {@code portcullis catalog explain}: the decision for one request, with its reasons. */
    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = {"Evaluates one run request against a catalog file and prints the decision with every reason.",
                "Exit status 0 for ALLOW, 2 for DENY (as plan and apply), 7 for an invalid catalog."})
    static final class Explain implements Callable<Integer> {
        /** The request's fields, as the policy service names them, to the options that set them. */
        private static final Map<String, String> OPTIONS = Map.ofEntries(
                Map.entry("caller", "--caller"), Map.entry("repo", "--repo"), Map.entry("commit_sha", "--commit"),
                Map.entry("ref", "--ref"), Map.entry("folder", "--folder"), Map.entry("environment", "--env"),
                Map.entry("command", "--command"), Map.entry("plan.plan_run_id", "--plan-run"),
                Map.entry("plan.commit_sha", "--plan-commit"), Map.entry("plan.artifact_sha256", "--plan-digest"));

        @Spec
        CommandSpec spec;

        @Option(names = "--catalog", paramLabel = "FILE", required = true, description = "The catalog YAML file.")
        Path file;

        @Option(names = "--caller", paramLabel = "SPIFFE_ID", required = true, description = "SPIFFE ID of the caller.")
        String caller;

        @Option(names = "--repo", paramLabel = "NAME", required = true, description = "The repository's catalog name.")
        String repo;

        @Option(names = "--commit", paramLabel = "SHA", required = true, description = "Full 40-hex commit SHA.")
        String commit;

        @Option(names = "--ref", paramLabel = "REF", required = true, description = "Full ref, e.g. refs/heads/main.")
        String ref;

        @Option(names = "--folder", paramLabel = "PATH", defaultValue = ".", description = "The folder in the repository (default: ${DEFAULT-VALUE}).")
        String folder;

        @Option(names = {"--env", "--environment"}, paramLabel = "NAME", required = true, description = "The environment, e.g. prod.")
        String environment;

        @Option(names = "--command", paramLabel = "NAME", required = true, description = "The catalog command, e.g. plan or apply.")
        String command;

        @Option(names = "--plan-run", paramLabel = "RUN", description = "For an apply: the plan run id.")
        String planRun;

        @Option(names = "--plan-commit", paramLabel = "SHA", description = "For an apply: the commit the plan was made at (default: --commit).")
        String planCommit;

        @Option(names = "--plan-digest", paramLabel = "SHA256", description = "For an apply: SHA-256 of the plan artifact.")
        String planDigest;

        @Option(names = "--break-glass", description = "Evaluate as an admin's break-glass request.")
        boolean breakGlass;

        @Option(names = "--at", paramLabel = "INSTANT", description = "Decide as of this instant (ISO-8601, default now), e.g. for change windows.")
        String at;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            FileArguments.existingFile(spec, "--catalog", file);
            Catalog catalog;
            try {
                catalog = load(file);
            } catch (CatalogRejectedException e) {
                e.problems().forEach(err::println);
                err.printf("%s: refused, %d problem(s)%n", file, e.problems().size());
                err.flush();
                return ExitStatus.INVALID_CATALOG.code();
            }
            EvaluateRequest.Builder request = EvaluateRequest.newBuilder().setCaller(caller).setRepo(repo)
                    .setCommitSha(commit).setRef(ref).setFolder(folder).setEnvironment(environment).setCommand(command)
                    .setBreakGlass(breakGlass);
            if (planRun != null || planDigest != null) {
                request.setPlan(PlanBinding.newBuilder()
                        .setPlanRunId(planRun == null ? "" : planRun)
                        .setCommitSha(planCommit == null ? commit : planCommit)
                        .setArtifactSha256(planDigest == null ? "" : planDigest));
            }
            Instant now;
            try {
                now = at == null ? Instant.now() : Instant.parse(at);
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(), "--at: not an ISO-8601 instant, e.g. 2026-11-24T09:00:00Z");
            }
            Decision decision;
            try {
                decision = PolicyEngine.decide(catalog, EvaluationRequests.parse(request.build()), now);
            } catch (InvalidRequestException e) {
                List<String> invalid = e.violations().stream()
                        .map(v -> "invalid " + OPTIONS.getOrDefault(v.field(), v.field()) + ": " + v.description()).toList();
                throw new ParameterException(spec.commandLine(), String.join(System.lineSeparator() + "portcullis: ", invalid));
            }
            print(decision, out);
            return (decision.allowed() ? ExitStatus.SUCCESS : ExitStatus.DENIED).code();
        }

        private static void print(Decision decision, PrintWriter out) {
            out.println(decision.outcome() + "  (catalog version " + decision.catalogVersion() + ")");
            decision.reasons().forEach(reason -> out.println("  " + reason.code() + ": " + reason.message()));
            decision.matchedRule().ifPresent(matched -> out.println("rule:       " + matched.repo() + " rules["
                    + matched.rule().index() + "] at " + matched.rule().location()));
            if (decision.allowed()) {
                out.println("approvals:  " + decision.requiredApprovals());
                for (int i = 0; i < decision.steps().size(); i++) {
                    out.println((i == 0 ? "steps:      " : "            ") + (i + 1) + ". " + decision.steps().get(i).argv());
                }
                if (!decision.env().isEmpty()) {
                    out.println("env:        " + decision.env());
                }
                if (!decision.timeout().isZero()) {
                    out.println("timeout:    " + decision.timeout().toString().substring(2).toLowerCase(java.util.Locale.ROOT));
                }
                out.println("secrets:    " + decision.secretGrants());
                if (!decision.produces().isEmpty()) {
                    out.println("produces:   " + decision.produces() + (decision.planSummaryTool() == PlanSummaryTool.NONE ? ""
                            : "  (summary: " + decision.planSummaryTool().name().toLowerCase(java.util.Locale.ROOT) + ")"));
                }
            }
            if (!decision.changeWindows().isEmpty()) {
                out.println("windows:    " + decision.changeWindows());
            }
            out.flush();
        }
    }
}
