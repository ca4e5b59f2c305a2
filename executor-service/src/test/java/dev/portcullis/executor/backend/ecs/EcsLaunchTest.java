package dev.portcullis.executor.backend.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EcsLaunchTest {
    static final String RUN_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

    @Test
    void printingALaunchRevealsNeitherTheEnvironmentsValuesNorTheCommand() {
        EcsLaunch launch = new EcsLaunch(RUN_ID, List.of("terraform", "apply", "plan.tfplan"),
                Map.of("VAULT_TOKEN", "hvs.secret-token-value", "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG"),
                Duration.ofHours(2));

        String printed = launch.toString();

        assertEquals("EcsLaunch[runId=" + RUN_ID + ", command=<3 arguments>, environment=[AWS_SECRET_ACCESS_KEY, VAULT_TOKEN],"
                + " timeout=PT2H]", printed);
        assertFalse(printed.contains("secret-token-value") || printed.contains("plan.tfplan"));
    }

    @Test
    void theOverridesAreCountedAsTheJsonEcsReceives() {
        EcsLaunch launch = new EcsLaunch(RUN_ID, List.of("sh", "-c", "echo \"a\"\n"),
                Map.of("A", "1", "B", "tab\there"), Duration.ofMinutes(1));
        String json = "{\"containerOverrides\":[{\"name\":\"runner\",\"command\":[\"sh\",\"-c\",\"echo \\\"a\\\"\\n\"],"
                + "\"environment\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"tab\\there\"}]}]}";

        int characters = launch.overrideCharacters("runner");

        assertEquals(json.length(), characters);
    }

    @Test
    void aRunIdMustBeALowercaseUuid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EcsLaunch("RUN-1", List.of("true"), Map.of(), Duration.ofMinutes(1)));

        assertEquals("must be a run id: a UUID in lowercase canonical form", e.getMessage());
    }

    @Test
    void anEmptyCommandIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EcsLaunch(RUN_ID, List.of(), Map.of(), Duration.ofMinutes(1)));

        assertEquals("command must have at least one argument", e.getMessage());
    }

    @Test
    void anInvalidVariableNameIsRefusedWithoutQuotingAnyValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EcsLaunch(RUN_ID, List.of("true"), Map.of("BAD=NAME", "secret-value"), Duration.ofMinutes(1)));

        assertEquals("environment variable name is not valid: BAD=NAME", e.getMessage());
    }

    @Test
    void aTimeoutMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EcsLaunch(RUN_ID, List.of("true"), Map.of(), Duration.ZERO));

        assertEquals("timeout must be positive", e.getMessage());
    }
}
