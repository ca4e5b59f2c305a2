package dev.portcullis.cli.run;

import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis apply --plan-run RUN}: submits the catalog's "apply" command and follows it through approval. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Submits an apply run of a plan and follows it through approval to its end.",
            "Submits the catalog command \"apply\" of the plan an earlier plan run made at",
            "the same commit, and follows the run; while it waits for approval, prints the",
            "line an approver runs, and its status again every --status-interval."})
public final class ApplyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Submission submission;

    @Option(names = "--plan-run", paramLabel = "RUN",
            description = "Run id of the plan run whose plan to apply (the catalog's apply requires it: without it, PLAN_REQUIRED).")
    String planRun;

    @Override
    public Integer call() {
        return submission.submit(spec, "apply", Optional.ofNullable(planRun));
    }
}
