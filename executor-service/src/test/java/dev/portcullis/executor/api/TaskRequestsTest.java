package dev.portcullis.executor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Duration;
import dev.portcullis.executor.plan.PlanTool;
import dev.portcullis.executor.task.TaskStep;
import dev.portcullis.runtime.error.FieldViolation;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.v1.CommandStep;
import dev.portcullis.v1.SecretGrant;
import dev.portcullis.v1.SecretKind;
import dev.portcullis.v1.TaskSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Parsing StartTask's steps, env and plan summary tool: every refusal names its field. */
class TaskRequestsTest {
    private static TaskSpec.Builder task() {
        return TaskSpec.newBuilder().setRunId("11111111-2222-4333-8444-555555555555")
                .setRepoUrl("https://git.example.org/infra.git").setCommitSha("0123456789abcdef0123456789abcdef01234567")
                .setFolder("stage/app").setEnvironment("stage").setTimeout(Duration.newBuilder().setSeconds(60));
    }

    private static CommandStep step(String... argv) {
        return CommandStep.newBuilder().addAllArgv(List.of(argv)).build();
    }

    private static Map<String, String> violations(TaskSpec.Builder task) {
        InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> TaskRequests.task(task.build()));
        return refused.violations().stream().collect(java.util.stream.Collectors.toMap(FieldViolation::field,
                FieldViolation::description, (a, b) -> a + "; " + b));
    }

    @Test
    void stepsAreParsedInOrderWithTheirDetailedExitcode() {
        TaskSpec.Builder task = task().addSteps(step("terraform", "init", "-input=false"))
                .addSteps(CommandStep.newBuilder().addArgv("terraform").addArgv("plan").setDetailedExitcode(true));

        List<TaskStep> steps = TaskRequests.task(task.build()).spec().steps();

        assertEquals(List.of(new TaskStep(List.of("terraform", "init", "-input=false"), false),
                new TaskStep(List.of("terraform", "plan"), true)), steps);
    }

    @Test
    void anArgvIsOneStep() {
        List<TaskStep> steps = TaskRequests.task(task().addArgv("make").addArgv("plan").build()).spec().steps();

        assertEquals(List.of(TaskStep.of(List.of("make", "plan"))), steps);
    }

    @Test
    void argvAndStepsTogetherAreRefused() {
        Map<String, String> violations = violations(task().addArgv("make").addSteps(step("make")));

        assertEquals("set exactly one of argv and steps", violations.get("task.steps"));
    }

    @Test
    void neitherArgvNorStepsIsRefused() {
        assertEquals("must hold 1-64 arguments", violations(task()).get("task.argv"));
    }

    @Test
    void moreThanSixteenStepsAreRefused() {
        TaskSpec.Builder task = task();
        IntStream.range(0, 17).forEach(i -> task.addSteps(step("true")));

        assertEquals("must hold 1-16 steps", violations(task).get("task.steps"));
    }

    @Test
    void anEmptyStepIsRefusedByItsIndex() {
        Map<String, String> violations = violations(task().addSteps(step("true")).addSteps(step()));

        assertEquals("must hold 1-64 arguments", violations.get("task.steps[1].argv"));
    }

    @Test
    void aStepArgumentOverFourKibibytesIsRefusedByItsIndex() {
        Map<String, String> violations = violations(task().addSteps(step("echo", "é".repeat(2049))));

        assertEquals("must be at most 4096 bytes, without NUL", violations.get("task.steps[0].argv[1]"));
    }

    @Test
    void anEnvNameOutsideTheAllowedCharactersIsRefusedWithoutQuotingIt() {
        Map<String, String> violations = violations(task().addArgv("true").putEnv("tf_in_automation", "1"));

        assertEquals("must be named with [A-Z_][A-Z0-9_]*, at most 255 characters", violations.get("task.env"));
    }

    @Test
    void aReservedEnvNameIsRefused() {
        Map<String, String> violations = violations(task().addArgv("true").putEnv("PATH", "/tmp").putEnv("PORTCULLIS_STEPS", "1"));

        assertEquals("is reserved: the task's own environment sets it", violations.get("task.env[PATH]"));
        assertEquals("is reserved: the task's own environment sets it", violations.get("task.env[PORTCULLIS_STEPS]"));
    }

    @Test
    void anEnvValueOverFourKibibytesIsRefused() {
        Map<String, String> violations = violations(task().addArgv("true").putEnv("TF_VAR_X", "x".repeat(4097)));

        assertEquals("must have a value of at most 4096 bytes, without NUL", violations.get("task.env[TF_VAR_X]"));
    }

    @Test
    void moreThanSixtyFourEnvVariablesAreRefused() {
        TaskSpec.Builder task = task().addArgv("true");
        IntStream.range(0, 65).forEach(i -> task.putEnv("V" + i, "1"));

        assertEquals("must hold at most 64 variables", violations(task).get("task.env"));
    }

    @Test
    void anEnvNameTheGrantedAwsCredentialsSetIsRefused() {
        TaskSpec.Builder task = task().addArgv("true").putEnv("AWS_ACCESS_KEY_ID", "AKIA0000")
                .addSecretGrants(SecretGrant.newBuilder().setKind(SecretKind.SECRET_KIND_AWS).setPath("aws/creds/deploy"));

        assertEquals("is set by the granted AWS credentials", violations(task).get("task.env[AWS_ACCESS_KEY_ID]"));
    }

    @Test
    void aPlanSummaryToolWithoutAProducedArtifactIsRefused() {
        Map<String, String> violations = violations(task().addArgv("true").setPlanSummaryTool(dev.portcullis.v1.PlanTool.PLAN_TOOL_TERRAFORM));

        assertEquals("is valid only for a task with produces_artifact", violations.get("task.plan_summary_tool"));
    }

    @Test
    void aPlanSummaryToolIsKeptWithTheProducedArtifact() {
        TaskSpec.Builder task = task().addArgv("true").setProducesArtifact("plan.tfplan")
                .setPlanSummaryTool(dev.portcullis.v1.PlanTool.PLAN_TOOL_TOFU);

        assertEquals(Optional.of(PlanTool.TOFU), TaskRequests.task(task.build()).spec().artifacts().summary());
    }

    @Test
    void theArtifactPathOfThePlanJsonCannotBeProduced() {
        Map<String, String> violations = violations(task().addArgv("true").setProducesArtifact(".portcullis/plan-show.json"));

        assertEquals("is reserved for the plan JSON", violations.get("task.produces_artifact"));
    }
}
