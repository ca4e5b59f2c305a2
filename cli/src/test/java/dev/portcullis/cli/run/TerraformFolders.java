package dev.portcullis.cli.run;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Folders of real Terraform in a test's git repository, with a local backend whose state the
 * catalog puts under a state directory ({@code STATE/FOLDER/terraform.tfstate}). Each resource is a
 * {@code terraform_data}, which needs no provider download. Stateless.
 */
final class TerraformFolders {
    /** The commands' {@code env:}: no user configuration, no prompts. */
    static final String ENV = "{TF_IN_AUTOMATION: \"1\", TF_INPUT: \"0\", TF_CLI_CONFIG_FILE: \"/dev/null\"}";
    /**
     * The catalog's {@code plan} (with a Terraform summary) and {@code apply} commands, the backend's
     * state under {@code @STATE@}.
     */
    static final String COMMANDS = """
            commands:
              plan:
                steps:
                  - ["terraform", "init", "-input=false", "-no-color", "-backend-config=path=@STATE@/${folder}/terraform.tfstate"]
                  - ["terraform", "plan", "-input=false", "-no-color", "-out=plan.tfplan", "-detailed-exitcode"]
                env: @ENV@
                produces: plan.tfplan
                summary: terraform
              apply:
                steps:
                  - ["terraform", "init", "-input=false", "-no-color", "-backend-config=path=@STATE@/${folder}/terraform.tfstate"]
                  - ["terraform", "apply", "-input=false", "-no-color", "plan.tfplan"]
                env: @ENV@
                requires_plan: true
                changes_infrastructure: true
            """.replace("@ENV@", ENV);

    private TerraformFolders() {}

    /** A {@code terraform_data} resource whose {@code input} is its name, replaced when {@code version} changes. */
    static String resource(String name, String version) {
        return """
                resource "terraform_data" "%s" {
                  triggers_replace = ["%s"]
                  input            = "%s"
                }
                """.formatted(name, version, name);
    }

    /** Writes {@code folder}/main.tf: a local backend and {@code resources}. */
    static void writeResources(Path folder, String... resources) throws Exception {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("main.tf"), "terraform {\n  backend \"local\" {}\n}\n\n" + String.join("\n", resources), UTF_8);
    }

    /** Commits everything in {@code repo}; the new commit's SHA. */
    static String commit(Path repo, String message) throws Exception {
        SuiteFixture.git(repo, "add", "-A");
        SuiteFixture.git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message);
        return SuiteFixture.git(repo, "rev-parse", "HEAD");
    }

    /** The state file of {@code folder} under {@code stateDir}. */
    static Path stateFile(Path stateDir, String folder) {
        return stateDir.resolve(folder).resolve("terraform.tfstate");
    }

    /** The addresses of the resources in {@code folder}'s state, sorted. */
    static List<String> stateAddresses(Path stateDir, String folder) throws Exception {
        JsonNode state = new ObjectMapper().readTree(stateFile(stateDir, folder).toFile());
        return StreamSupport.stream(state.get("resources").spliterator(), false)
                .map(resource -> resource.get("type").asText() + "." + resource.get("name").asText()).sorted().toList();
    }
}
