package dev.portcullis.audit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class S3WitnessConfigTest {
    static final String PREFIX = "portcullis.audit.witnesses.s3.";

    @Test
    void noBucketIsUsedWhenNothingIsSet() {
        S3WitnessConfig config = ConfigBinding.bind(S3WitnessConfig.class, Map.of());

        assertEquals(new S3WitnessConfig("", "", "us-east-1", ""), config);
        assertFalse(config.enabled());
        assertEquals(Optional.empty(), config.endpointUri());
    }

    @Test
    void everyKeyIsBound() {
        S3WitnessConfig config = ConfigBinding.bind(S3WitnessConfig.class, Map.of(
                PREFIX + "bucket", "acme-audit-checkpoints",
                PREFIX + "prefix", "prod/",
                PREFIX + "region", "eu-west-1",
                PREFIX + "endpoint", "https://s3.example.org"));

        assertEquals(new S3WitnessConfig("acme-audit-checkpoints", "prod/", "eu-west-1", "https://s3.example.org"), config);
        assertEquals(Optional.of(URI.create("https://s3.example.org")), config.endpointUri());
    }

    @Test
    void aPrefixThatDoesNotEndInASlashIsRefusedNamingTheKey() {
        RuntimeException refused = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(S3WitnessConfig.class,
                Map.of(PREFIX + "bucket", "acme-audit-checkpoints", PREFIX + "prefix", "prod")));

        assertEquals(true, StartupFailure.describe(refused).contains(PREFIX + "prefix must be empty or end in '/'"),
                StartupFailure.describe(refused));
    }
}
