package dev.portcullis.executor.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.catalog.SecretGrant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskSecretsTest {
    private static final SecretGrant FIRST = SecretGrant.parse("aws:aws/creds/first");
    private static final SecretGrant SECOND = SecretGrant.parse("aws:aws/creds/second");

    @Test
    void closeRevokesEveryLeaseOnceEvenWhenOneRevocationFails() {
        List<String> attempts = new ArrayList<>();
        TaskSecrets secrets = new TaskSecrets(Map.of("A", "value-aaaaaaaa"), Map.of("aws/creds/first#a", "value-aaaaaaaa"),
                List.of(new Lease(FIRST, "aws/creds/first/l1"), new Lease(SECOND, "aws/creds/second/l2")), lease -> {
                    attempts.add(lease.id());
                    if (lease.grant().equals(FIRST)) {
                        throw new SecretUnavailableException(List.of(FIRST), "cannot revoke the lease of aws:aws/creds/first");
                    }
                });

        secrets.close();
        secrets.close();

        assertEquals(List.of("aws/creds/first/l1", "aws/creds/second/l2"), attempts);
    }

    @Test
    void staticSecretsHaveNothingToRevoke() {
        TaskSecrets secrets = TaskSecrets.of(Map.of("TOKEN", "value-bbbbbbbb"), Map.of("secret/data/x#TOKEN", "value-bbbbbbbb"));

        secrets.close();

        assertThrows(IllegalStateException.class, secrets::environment);
    }

    @Test
    void variableNamesMustSuitAProcessEnvironment() {
        assertThrows(IllegalArgumentException.class, () -> TaskSecrets.of(Map.of("lower", "v"), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> TaskSecrets.of(Map.of("1ST", "v"), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> TaskSecrets.of(Map.of("A=B", "v"), Map.of()));
    }

    @Test
    void neitherTheSecretsNorTheirLeasesPrintAValueOrALeaseId() {
        Lease lease = new Lease(FIRST, "aws/creds/first/lease-id-secretish");
        TaskSecrets secrets = new TaskSecrets(Map.of("A", "value-cccccccc"), Map.of("aws/creds/first#a", "value-cccccccc"),
                List.of(lease), revoked -> {});

        String shown = secrets + " " + lease;

        assertEquals("TaskSecrets[variables=[A], leases=1] Lease[aws:aws/creds/first]", shown);
        assertFalse(shown.contains("value-cccccccc"));
        secrets.close();
    }
}
