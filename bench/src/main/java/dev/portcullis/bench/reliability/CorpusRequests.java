package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.SubmitRunRequest;
import java.util.UUID;

/** The well-formed requests the hostile corpus starts from: a plan of the demo repo's main commit in stage. */
record CorpusRequests(String mainCommit) {
    /** The dev catalog's demo repository. */
    static final String REPO = "example";

    CorpusRequests {
        requireNonNull(mainCommit, "mainCommit is null");
    }

    /** A plan of {@code stage/app} at main, which the dev catalog allows; cases change one thing. */
    RunSpec.Builder spec() {
        return RunSpec.newBuilder().setRepo(REPO).setCommitSha(mainCommit).setRef("refs/heads/main").setFolder("stage/app")
                .setEnvironment("stage").setCommand("plan");
    }

    /** A submission of {@code spec} under a new request key. */
    static SubmitRunRequest.Builder submit(RunSpec.Builder spec) {
        return SubmitRunRequest.newBuilder().setSpec(spec).setRequestKey(key());
    }

    /** A request key no other request uses. */
    static String key() {
        return "hostile-" + UUID.randomUUID();
    }
}
