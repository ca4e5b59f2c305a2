package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactException;
import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.executor.plan.PlanRejectedException;
import dev.portcullis.executor.plan.PlanSummary;
import dev.portcullis.executor.plan.TerraformPlanJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Derives a plan task's {@link PlanSummary} from its tool's {@code show -json} output, and then
 * deletes that output: a file of the task's work area (backends that collect files), or the object
 * the task uploaded to the artifact store at {@link #PLAN_JSON} (ECS). The JSON holds the plan's
 * values, sensitive ones included: it is streamed through {@link TerraformPlanJson}, which keeps
 * none of them, and nothing of it is logged or stored. Stateless; thread-safe; blocks while it
 * reads.
 */
final class PlanSummaries {
    static final dev.portcullis.executor.artifact.ArtifactPath PLAN_JSON = TaskArtifacts.PLAN_JSON;
    /** As the contract lists them: at most 100 resources, drifted resources and outputs by name. */
    private static final int MAX_LISTED = 100;
    private static final Logger log = LoggerFactory.getLogger(PlanSummaries.class);

    private final ArtifactStore artifacts;
    private final TerraformPlanJson reader = new TerraformPlanJson(TerraformPlanJson.DEFAULT_MAX_INPUT_BYTES, MAX_LISTED);

    PlanSummaries(ArtifactStore artifacts) {
        this.artifacts = requireNonNull(artifacts, "artifacts is null");
    }

    /**
     * Summarises the JSON in {@code planJson} and deletes the file, whatever the outcome.
     *
     * @throws TaskRefusedException PLAN_SUMMARY_UNAVAILABLE with a safe message
     */
    PlanSummary fromFile(TaskSpec spec, Path planJson) {
        try (InputStream in = Files.newInputStream(planJson)) {
            return summarise(in);
        } catch (IOException | UncheckedIOException e) {
            throw unavailable("the plan JSON could not be read");
        } finally {
            try {
                Files.deleteIfExists(planJson);
            } catch (IOException e) {
                // the backend removes the task's whole work area next
                log.atWarn().addKeyValue("run_id", spec.runId().value()).log("task.plan_json_not_deleted");
            }
        }
    }

    /**
     * Summarises the JSON the task uploaded to {@link #PLAN_JSON} and deletes the object, whatever
     * the outcome.
     *
     * @throws TaskRefusedException PLAN_SUMMARY_UNAVAILABLE with a safe message
     */
    PlanSummary fromUpload(TaskSpec spec) {
        ArtifactLocation location = new ArtifactLocation(spec.runId(), PLAN_JSON);
        String tool = spec.artifacts().summary().orElseThrow().command();
        try (InputStream in = artifacts.open(location)) {
            return summarise(in);
        } catch (ArtifactException e) {
            throw unavailable(e.problem() == ArtifactException.Problem.MISSING
                    ? tool + " show -json wrote no plan JSON (see the log)"
                    // without s3:ListBucket (as deployed) S3 answers a missing object with 403
                    : "the plan JSON was not uploaded or could not be read (see the log)");
        } catch (IOException | UncheckedIOException e) {
            throw unavailable("the uploaded plan JSON could not be read");
        } finally {
            deleteUpload(spec, location);
        }
    }

    /** Deletes what the task may have uploaded to {@link #PLAN_JSON} without it being read (the task did not succeed). */
    void discardUpload(TaskSpec spec) {
        deleteUpload(spec, new ArtifactLocation(spec.runId(), PLAN_JSON));
    }

    private void deleteUpload(TaskSpec spec, ArtifactLocation location) {
        try {
            artifacts.delete(location);
        } catch (ArtifactException e) {
            // it holds the plan's values like the plan itself, in the same store; the operator removes it
            log.atError().addKeyValue("run_id", spec.runId().value()).addKeyValue("artifact", location.key())
                    .log("task.plan_json_not_deleted");
        }
    }

    private PlanSummary summarise(InputStream in) {
        try {
            return reader.summarise(in);
        } catch (PlanRejectedException e) {
            throw unavailable(e.getMessage()); // safe by its contract: never the document's text
        }
    }

    private static TaskRefusedException unavailable(String why) {
        return new TaskRefusedException(TaskFailure.PLAN_SUMMARY_UNAVAILABLE, "PLAN_SUMMARY_UNAVAILABLE: " + why);
    }
}
