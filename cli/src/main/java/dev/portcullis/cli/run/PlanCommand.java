package dev.portcullis.cli.run;

import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code portcullis plan}: submits the catalog's "plan" command and follows the run. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Submits a plan run and follows it to its end.",
            "Submits the catalog command \"plan\" and follows the run: log lines on stdout,",
            "state changes on stderr. While the run waits for approval or in the queue, its",
            "status is printed again every --status-interval.",
            "Gateway and certificate: PORTCULLIS_GATEWAY_ADDR, PORTCULLIS_{CA,CERT,KEY}_FILE",
            "(or the options)."})
public final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Submission submission;

    @Override
    public Integer call() {
        return submission.submit(spec, "plan", Optional.empty());
    }
}
