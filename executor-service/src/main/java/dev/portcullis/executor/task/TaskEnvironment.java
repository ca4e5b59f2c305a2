package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactException;
import dev.portcullis.executor.artifact.ArtifactHandoff;
import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.executor.artifact.ArtifactUrl;
import dev.portcullis.executor.redact.Redactor;
import dev.portcullis.executor.redact.Secret;
import dev.portcullis.executor.redact.UnsafeSecretException;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.SecretUnavailableException;
import dev.portcullis.executor.secret.TaskSecrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a task gets besides its spec: its command's environment variables and the values of exactly
 * its granted secrets, on backends that do not collect files the presigned URLs of its artifacts
 * (and of its plan JSON), and the
 * {@link Redactor} its log is passed through — built from every one of those values, so a secret
 * or URL the task prints is masked. A granted secret may not define a variable the task's own
 * environment depends on. Stateless; thread-safe; blocks while secrets are read.
 */
final class TaskEnvironment {
    /** Beyond the task's own timeout, for provisioning (image pull, checkout) and the upload. */
    private static final Duration URL_MARGIN = Duration.ofMinutes(30);
    private static final Duration MAX_URL_VALIDITY = Duration.ofDays(7);

    private final SecretSource secrets;
    private final ArtifactStore artifacts;
    private final ArtifactHandoff handoff;
    private final TaskAuditor auditor;

    /** @param handoff signs the URLs of {@code artifacts} (the same store) for tasks that move their artifacts themselves */
    TaskEnvironment(SecretSource secrets, ArtifactStore artifacts, ArtifactHandoff handoff, TaskAuditor auditor) {
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.artifacts = requireNonNull(artifacts, "artifacts is null");
        this.handoff = requireNonNull(handoff, "handoff is null");
        this.auditor = requireNonNull(auditor, "auditor is null");
    }

    /**
     * Reads the task's granted secrets and builds its environment; with {@code handOff}, also the
     * URLs of its artifacts. The caller closes the returned secrets when the task ends.
     *
     * @throws TaskRefusedException SECRETS_UNAVAILABLE when a secret cannot be read, defines a
     *     reserved variable or one of the command's env, or cannot be redacted safely; PLAN_UNAVAILABLE or ARTIFACT_UNAVAILABLE
     *     when a URL cannot be signed. No secret stays open then.
     */
    Opened open(TaskSpec spec, List<SecretGrant> grants, boolean handOff) {
        TaskSecrets taskSecrets;
        try {
            taskSecrets = secrets.open(grants);
        } catch (SecretUnavailableException e) {
            auditor.secretsUnreadable("start");
            throw new TaskRefusedException(TaskFailure.SECRETS_UNAVAILABLE, e.getMessage());
        }
        for (String name : taskSecrets.environment().keySet()) {
            if (TaskSpec.reserved(name)) {
                taskSecrets.close();
                throw new TaskRefusedException(TaskFailure.SECRETS_UNAVAILABLE,
                        "a granted secret defines " + name + ", which would override the task's own environment");
            }
            if (spec.env().containsKey(name)) {
                // a KV secret's keys are known only once it is read: the request could not be refused for this
                taskSecrets.close();
                throw new TaskRefusedException(TaskFailure.SECRETS_UNAVAILABLE,
                        "a granted secret defines " + name + ", which the command's env also sets");
            }
        }
        Map<String, String> environment = new HashMap<>(spec.env());
        environment.putAll(taskSecrets.environment());
        List<Secret> urls = new ArrayList<>();
        if (handOff) {
            try {
                handOff(spec, environment, urls);
            } catch (ArtifactException e) {
                taskSecrets.close();
                boolean plan = spec.artifacts().plan().isPresent();
                throw new TaskRefusedException(plan ? TaskFailure.PLAN_UNAVAILABLE : TaskFailure.ARTIFACT_UNAVAILABLE,
                        (plan ? "PLAN_UNAVAILABLE: " : "ARTIFACT_UNAVAILABLE: ") + e.getMessage());
            }
        }
        return new Opened(taskSecrets, Map.copyOf(environment), redactorOf(taskSecrets, urls));
    }

    /**
     * Reads again what can be read again of a task an earlier executor started — its KV secrets;
     * dynamic credentials would be new ones — to redact the rest of its log with them and the
     * credential patterns.
     *
     * @throws SecretUnavailableException when they cannot be read
     * @throws TaskRefusedException SECRETS_UNAVAILABLE when one cannot be redacted safely
     */
    Opened reopen(List<SecretGrant> grants) {
        List<SecretGrant> readable = grants.stream().filter(g -> g.kind() == SecretGrant.Kind.KV).toList();
        TaskSecrets reopened;
        try {
            reopened = secrets.open(readable);
        } catch (SecretUnavailableException e) {
            auditor.secretsUnreadable("resume");
            throw e;
        }
        return new Opened(reopened, Map.of(), redactorOf(reopened, List.of()));
    }

    private static Redactor redactorOf(TaskSecrets taskSecrets, List<Secret> more) {
        try {
            List<Secret> all = new ArrayList<>(taskSecrets.valuesByPath().entrySet().stream()
                    .map(secret -> new Secret(secret.getKey(), secret.getValue())).toList());
            all.addAll(more);
            return Redactor.of(all);
        } catch (UnsafeSecretException e) {
            taskSecrets.close();
            throw new TaskRefusedException(TaskFailure.SECRETS_UNAVAILABLE, e.getMessage());
        }
    }

    /**
     * The presigned URLs of the task's artifacts, into its {@code environment}; each URL and its
     * signature also into {@code urls}, so the task's log is redacted of them.
     */
    private void handOff(TaskSpec spec, Map<String, String> environment, List<Secret> urls) {
        Duration validFor = spec.timeout().plus(URL_MARGIN);
        validFor = validFor.compareTo(MAX_URL_VALIDITY) > 0 ? MAX_URL_VALIDITY : validFor;
        if (spec.artifacts().plan().isPresent()) {
            ArtifactRef ref = spec.artifacts().plan().get();
            ArtifactLocation location = artifacts.locate(ref.uri()).orElseThrow();
            ArtifactUrl url = handoff.downloadUrl(location, validFor);
            environment.put("PORTCULLIS_PLAN_PATH", location.path().value());
            environment.put("PORTCULLIS_PLAN_SHA256", ref.sha256().value());
            environment.put("PORTCULLIS_PLAN_GET_URL", url.reveal());
            urls.addAll(secretsOf("plan download URL", url));
        }
        if (spec.artifacts().produces().isPresent()) {
            ArtifactPath path = spec.artifacts().produces().get();
            ArtifactUrl url = handoff.uploadUrl(new ArtifactLocation(spec.runId(), path), validFor);
            environment.put("PORTCULLIS_ARTIFACT_PATH", path.value());
            environment.put("PORTCULLIS_ARTIFACT_PUT_URL", url.reveal());
            urls.addAll(secretsOf("artifact upload URL", url));
        }
        if (spec.artifacts().summary().isPresent()) {
            ArtifactUrl url = handoff.uploadUrl(new ArtifactLocation(spec.runId(), PlanSummaries.PLAN_JSON), validFor);
            environment.put("PORTCULLIS_PLAN_SUMMARY_TOOL", spec.artifacts().summary().get().command());
            environment.put("PORTCULLIS_PLAN_JSON_PUT_URL", url.reveal());
            urls.addAll(secretsOf("plan JSON upload URL", url));
        }
    }

    private static List<Secret> secretsOf(String name, ArtifactUrl url) {
        List<Secret> secrets = new ArrayList<>(List.of(new Secret(name, url.reveal())));
        url.signature().ifPresent(signature -> secrets.add(new Secret(name + "#signature", signature)));
        return secrets;
    }

    /**
     * A task's open secrets, the environment it runs with and the redactor of its log. Holds
     * secret values: its {@code toString} shows none.
     */
    record Opened(TaskSecrets secrets, Map<String, String> variables, Redactor redactor) {
        Opened {
            requireNonNull(secrets, "secrets is null");
            variables = Map.copyOf(variables);
            requireNonNull(redactor, "redactor is null");
        }

        @Override
        public String toString() {
            return "Opened[" + secrets + "]";
        }
    }
}
