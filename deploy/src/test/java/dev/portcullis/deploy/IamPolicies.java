package dev.portcullis.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The IAM documents of {@code terraform/aws/policies}, rendered the way Terraform's
 * {@code templatefile} renders them (they use only {@code ${name}} interpolations) with sample
 * values, then parsed. {@code pass_role_arns} is inserted as a JSON array, as
 * {@code jsonencode(...)} produces it in main.tf.
 */
final class IamPolicies {
    static final Path TERRAFORM = Path.of("terraform", "aws");
    static final String CLUSTER_ARN = "arn:aws:ecs:eu-central-1:123456789012:cluster/portcullis";
    static final String LOG_GROUP_ARN = "arn:aws:logs:eu-central-1:123456789012:log-group:/portcullis/runner";
    static final List<String> PASS_ROLES = List.of("arn:aws:iam::123456789012:role/portcullis-runner-execution");
    static final String ARTIFACT_BUCKET_ARN = "arn:aws:s3:::portcullis-artifacts-123456789012-eu-central-1";
    /** main.tf's {@code "${aws_s3_bucket.artifacts.arn}/${var.artifact_prefix}*"} with the default prefix. */
    static final String ARTIFACT_OBJECTS_ARN = ARTIFACT_BUCKET_ARN + "/portcullis/artifacts/*";
    static final String GIT_TOKEN_SECRET_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:portcullis/git-token-AbCdEf";
    private static final Map<String, String> SAMPLES = Map.ofEntries(
            Map.entry("partition", "aws"),
            Map.entry("region", "eu-central-1"),
            Map.entry("account_id", "123456789012"),
            Map.entry("cluster_name", "portcullis"),
            Map.entry("cluster_arn", CLUSTER_ARN),
            Map.entry("family", "portcullis-runner"),
            Map.entry("log_group_arn", LOG_GROUP_ARN),
            Map.entry("repository_arn", "arn:aws:ecr:eu-central-1:123456789012:repository/portcullis-runner"),
            Map.entry("artifact_objects_arn", ARTIFACT_OBJECTS_ARN),
            Map.entry("oidc_provider_arn", "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE"),
            Map.entry("oidc_issuer", "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE"),
            Map.entry("namespace", "portcullis"),
            Map.entry("service_account", "portcullis-executor"),
            Map.entry("git_token_secret_arn", GIT_TOKEN_SECRET_ARN));
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");

    private IamPolicies() {}

    /** The document {@code policies/NAME.json.tftpl}, rendered and parsed. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> load(String name) {
        String template;
        try {
            template = Files.readString(TERRAFORM.resolve("policies").resolve(name + ".json.tftpl"), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder rendered = new StringBuilder();
        while (matcher.find()) {
            String variable = matcher.group(1);
            String value;
            if (variable.equals("pass_role_arns")) {
                value = PASS_ROLES.stream().map(arn -> "\"" + arn + "\"").reduce((a, b) -> a + ", " + b)
                        .map(list -> "[" + list + "]").orElseThrow();
            } else if (SAMPLES.containsKey(variable)) {
                value = SAMPLES.get(variable);
            } else {
                throw new AssertionError(name + " uses ${" + variable + "}, which the test does not know");
            }
            matcher.appendReplacement(rendered, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(rendered);
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(rendered.toString());
    }

    static List<Map<String, Object>> statements(Map<String, Object> document) {
        return Yaml.maps(document, "Statement");
    }
}
