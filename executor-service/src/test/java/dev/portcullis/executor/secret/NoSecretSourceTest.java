package dev.portcullis.executor.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.catalog.SecretGrant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NoSecretSourceTest {
    private final NoSecretSource source = new NoSecretSource();

    @Test
    void aTaskWithoutGrantsGetsNoSecrets() {
        TaskSecrets secrets = source.open(List.of());

        assertEquals(Map.of(), secrets.environment());
        assertEquals(Map.of(), secrets.valuesByPath());
        secrets.close();
    }

    @Test
    void aTaskThatNeedsSecretsFailsNamingTheMissingSettingAndTheGrants() {
        List<SecretGrant> grants = List.of(SecretGrant.parse("kv:secret/data/prod/app"),
                SecretGrant.parse("aws:aws/creds/deploy-prod"));

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class, () -> source.open(grants));

        assertEquals("this task needs secrets but no Vault is configured (portcullis.executor.vault.address);"
                + " it asks for kv:secret/data/prod/app, aws:aws/creds/deploy-prod", e.getMessage());
        assertEquals("SECRETS_UNAVAILABLE", e.reason());
        assertEquals(Map.of("secret_paths", "kv:secret/data/prod/app,aws:aws/creds/deploy-prod"), e.metadata());
    }
}
