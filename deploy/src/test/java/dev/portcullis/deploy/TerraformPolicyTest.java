package dev.portcullis.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IAM the Terraform grants is least privilege: the executor's role exactly as the design
 * lists it (RunTask on the runner's family in its cluster, PassRole for the runner's execution role,
 * DescribeTasks/StopTask on the cluster, log reads on the runner's log group, object reads and
 * writes under the artifact prefix of the artifact bucket), and no wildcard
 * action or resource anywhere a narrower one exists.
 */
class TerraformPolicyTest {
    private static final List<String> DOCUMENTS =
            List.of("executor", "executor-trust", "ecs-tasks-trust", "runner-execution", "runner-git-token");
    private static final String TASKS_IN_CLUSTER = "arn:aws:ecs:eu-central-1:123456789012:task/portcullis/*";

    @Test
    void everyPolicyDocumentIsWhatTheTerraformUses() throws IOException {
        String terraform = Files.readString(IamPolicies.TERRAFORM.resolve("main.tf"), UTF_8);

        for (String document : DOCUMENTS) {
            assertTrue(terraform.contains("templatefile(\"${path.module}/policies/" + document + ".json.tftpl\""),
                    "main.tf does not use policies/" + document + ".json.tftpl");
        }
        assertFalse(Pattern.compile("(?m)^\\s*(policy|assume_role_policy)\\s*=\\s*(jsonencode|<<)").matcher(terraform).find(),
                "an IAM document is written inline in main.tf instead of policies/");
    }

    @Test
    void executorMayDoExactlyWhatTheEcsBackendCalls() {
        Set<String> actions = new HashSet<>();
        IamPolicies.statements(IamPolicies.load("executor")).forEach(s -> actions.addAll(Yaml.strings(s, "Action")));

        assertEquals(Set.of("ecs:RunTask", "ecs:TagResource", "ecs:DescribeTasks", "ecs:StopTask", "ecs:ListTasks",
                "iam:PassRole", "logs:GetLogEvents", "s3:PutObject", "s3:GetObject", "s3:DeleteObjectVersion",
                "s3:DeleteObject"), actions);
    }

    @Test
    void runTaskIsLimitedToTheRunnerFamilyInTheCluster() {
        Map<String, Object> statement = only("executor", "ecs:RunTask");

        assertEquals(List.of("arn:aws:ecs:eu-central-1:123456789012:task-definition/portcullis-runner:*"),
                Yaml.strings(statement, "Resource"));
        assertEquals(IamPolicies.CLUSTER_ARN, Yaml.string(statement, "Condition", "ArnEquals", "ecs:cluster"));
    }

    @Test
    void passRoleIsLimitedToTheRunnerRolesAndToEcsTasks() {
        Map<String, Object> statement = only("executor", "iam:PassRole");

        assertEquals(IamPolicies.PASS_ROLES, Yaml.strings(statement, "Resource"));
        assertEquals("ecs-tasks.amazonaws.com", Yaml.string(statement, "Condition", "StringEquals", "iam:PassedToService"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecs:DescribeTasks", "ecs:StopTask"})
    void describeAndStopAreConditionedOnTheCluster(String action) {
        Map<String, Object> statement = only("executor", action);

        assertEquals(List.of(TASKS_IN_CLUSTER), Yaml.strings(statement, "Resource"));
        assertEquals(IamPolicies.CLUSTER_ARN, Yaml.string(statement, "Condition", "ArnEquals", "ecs:cluster"));
    }

    @Test
    void listTasksHasNoResourceOfItsOwnSoTheClusterConditionBindsIt() {
        Map<String, Object> statement = only("executor", "ecs:ListTasks");

        assertEquals(List.of("ecs:ListTasks"), Yaml.strings(statement, "Action"));
        assertEquals(IamPolicies.CLUSTER_ARN, Yaml.string(statement, "Condition", "ArnEquals", "ecs:cluster"));
    }

    @Test
    void taggingIsLimitedToTasksItLaunchesInTheCluster() {
        Map<String, Object> statement = only("executor", "ecs:TagResource");

        assertEquals(List.of(TASKS_IN_CLUSTER), Yaml.strings(statement, "Resource"));
        assertEquals("RunTask", Yaml.string(statement, "Condition", "StringEquals", "ecs:CreateAction"));
    }

    @Test
    void logReadsAreLimitedToTheRunnerLogGroup() {
        Map<String, Object> statement = only("executor", "logs:GetLogEvents");

        assertEquals(List.of(IamPolicies.LOG_GROUP_ARN + ":log-stream:*"), Yaml.strings(statement, "Resource"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"executor", "runner-execution", "executor-trust", "ecs-tasks-trust", "runner-git-token"})
    void noWildcardActionAndNoWildcardResourceWhereANarrowerOneExists(String document) {
        // AWS offers no narrower resource for these two: ListTasks is bound by its cluster
        // condition above, GetAuthorizationToken is account-wide by design
        Set<String> accountWide = Set.of("ecs:ListTasks", "ecr:GetAuthorizationToken");
        List<Map<String, Object>> statements = IamPolicies.statements(IamPolicies.load(document));

        assertFalse(statements.isEmpty(), document);
        for (Map<String, Object> statement : statements) {
            String sid = document + "/" + Yaml.string(statement, "Sid");
            assertEquals("Allow", Yaml.string(statement, "Effect"), sid);
            assertFalse(statement.containsKey("NotAction") || statement.containsKey("NotResource")
                    || statement.containsKey("NotPrincipal"), sid + " uses a Not* element");
            for (String action : Yaml.strings(statement, "Action")) {
                assertFalse(action.contains("*"), sid + " grants " + action);
            }
            for (String resource : Yaml.strings(statement, "Resource")) {
                if (resource.equals("*")) {
                    assertTrue(accountWide.containsAll(Yaml.strings(statement, "Action")), sid + " grants Resource *");
                } else {
                    assertFalse(resource.matches("arn:[^:]*:[^:]*:[^:]*:[^:]*:\\*"), sid + " grants " + resource);
                }
            }
        }
    }

    @Test
    void theRunnersExecutionRoleMayReadTheGitTokenSecretAndNothingElseInSecretsManager() {
        List<Map<String, Object>> statements = IamPolicies.statements(IamPolicies.load("runner-git-token"));

        assertEquals(1, statements.size());
        assertEquals(List.of("secretsmanager:GetSecretValue"), Yaml.strings(statements.get(0), "Action"));
        assertEquals(List.of(IamPolicies.GIT_TOKEN_SECRET_ARN), Yaml.strings(statements.get(0), "Resource"));
    }

    @Test
    void theRunnerGetsTheGitTokenFromSecretsManagerAsAnEcsSecretNeverAsPlainEnvironment() throws IOException {
        String terraform = Files.readString(IamPolicies.TERRAFORM.resolve("main.tf"), UTF_8);

        assertTrue(terraform.contains("{ name = \"PORTCULLIS_GIT_TOKEN\", valueFrom = var.git_token_secret_arn }"),
                "the task definition must take PORTCULLIS_GIT_TOKEN from the secret");
        String grant = terraform.substring(terraform.indexOf("resource \"aws_iam_role_policy\" \"task_execution_git_token\""));
        grant = grant.substring(0, grant.indexOf("\n}\n"));
        assertTrue(grant.contains("count = var.git_token_secret_arn == \"\" ? 0 : 1"), grant);
        assertTrue(grant.contains("role  = aws_iam_role.task_execution.id"), "only the runner's execution role may read it: " + grant);
        assertFalse(Pattern.compile("\\benvironment\\s*=").matcher(terraform).find(),
                "the task definition sets no plain environment (the token would show in DescribeTaskDefinition)");
    }

    @Test
    void onlyTheExecutorServiceAccountMayAssumeTheExecutorRole() {
        Map<String, Object> statement = IamPolicies.statements(IamPolicies.load("executor-trust")).get(0);
        Map<String, Object> equals = Yaml.map(statement, "Condition", "StringEquals");

        assertEquals("sts:AssumeRoleWithWebIdentity", Yaml.string(statement, "Action"));
        assertEquals("system:serviceaccount:portcullis:portcullis-executor",
                equals.get("oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE:sub"));
        assertEquals("sts.amazonaws.com", equals.get("oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE:aud"));
    }

    @Test
    void theExecutorDeletesOnlyThePlanJsonsItRead() {
        Map<String, Object> statement = only("executor", "s3:DeleteObjectVersion");

        assertEquals(List.of("s3:DeleteObjectVersion", "s3:DeleteObject"), Yaml.strings(statement, "Action"));
        // the executor's artifact store: PREFIX RUN_ID/.portcullis/plan-show.json (TaskArtifacts.PLAN_JSON)
        assertEquals(List.of(IamPolicies.ARTIFACT_OBJECTS_ARN + "/.portcullis/plan-show.json"),
                Yaml.strings(statement, "Resource"));
    }

    @Test
    void artifactObjectsAreReachableOnlyUnderTheArtifactPrefixOfTheBucket() throws IOException {
        Map<String, Object> statement = only("executor", "s3:GetObject");
        String terraform = Files.readString(IamPolicies.TERRAFORM.resolve("main.tf"), UTF_8);
        String variables = Files.readString(IamPolicies.TERRAFORM.resolve("variables.tf"), UTF_8);

        // HeadObject is authorised by s3:GetObject; nothing lists, deletes a plan or reaches another key
        assertEquals(List.of("s3:PutObject", "s3:GetObject"), Yaml.strings(statement, "Action"));
        assertEquals(List.of(IamPolicies.ARTIFACT_OBJECTS_ARN), Yaml.strings(statement, "Resource"));
        assertFalse(statement.containsKey("Condition"));
        // the sample is what main.tf passes: the bucket's objects under the prefix, whose default
        // is the executor's portcullis.executor.artifacts.s3-prefix default (keys PREFIX RUN_ID/PATH)
        assertTrue(terraform.contains("artifact_objects_arn = \"${aws_s3_bucket.artifacts.arn}/${var.artifact_prefix}*\""),
                "main.tf does not pass the artifact prefix's objects to the executor's policy");
        assertTrue(variables.contains("default     = \"portcullis/artifacts/\""), "artifact_prefix's default changed");
        // an empty prefix would make the grant the whole bucket
        assertTrue(variables.contains("regex(\"^([A-Za-z0-9._-]+/)+$\", var.artifact_prefix)"),
                "artifact_prefix may be empty or malformed");
    }

    @Test
    void noRunnerTaskRoleExistsSoATaskHoldsNoAwsCredentials() throws IOException {
        String terraform = Files.readString(IamPolicies.TERRAFORM.resolve("main.tf"), UTF_8);

        assertFalse(terraform.contains("task_role_arn"), "the runner task definition names a task role");
        assertFalse(Pattern.compile("resource \"aws_iam_role\" \"task\"").matcher(terraform).find(),
                "main.tf creates runner task roles again");
        assertTrue(terraform.contains("pass_role_arns = jsonencode([aws_iam_role.task_execution.arn])"),
                "the executor may pass more than the runner's execution role");
    }

    @Test
    void vaultPolicyGrantsReadsUnderEnvironmentsAndLeaseRevocationOnly() throws IOException {
        String policy = Files.readString(IamPolicies.TERRAFORM.resolve("vault").resolve("executor.hcl.tftpl"), UTF_8);
        List<String> paths = Pattern.compile("(?m)^path \"([^\"]+)\"").matcher(policy).results().map(m -> m.group(1)).toList();

        assertEquals(List.of("${kv_mount}/data/${env}/*", "${aws_mount}/creds/${role}", "${aws_mount}/sts/${role}",
                "sys/leases/revoke", "auth/token/lookup-self", "auth/token/renew-self"), paths);
        assertFalse(Stream.of("sudo", "delete", "\"create\"", "\"list\"").anyMatch(policy::contains),
                "the executor's Vault policy grants more than read, update and revoke");
    }

    private static Map<String, Object> only(String document, String action) {
        List<Map<String, Object>> matching = IamPolicies.statements(IamPolicies.load(document)).stream()
                .filter(s -> Yaml.strings(s, "Action").contains(action)).toList();
        assertEquals(1, matching.size(), action + " must appear in exactly one statement");
        return matching.get(0);
    }
}
