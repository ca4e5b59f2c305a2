package dev.portcullis.runtime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsConfigTest {
    private static final Map<String, Object> REQUIRED = Map.of(
            "portcullis.tls.cert-file", "/etc/portcullis/tls/svc.pem",
            "portcullis.tls.key-file", "/etc/portcullis/tls/svc.key",
            "portcullis.tls.ca-file", "/etc/portcullis/tls/ca.pem");

    @Test
    void onlyTheFilesAreRequiredAndTheReloadIntervalDefaultsToTenSeconds() {
        TlsConfig config = ConfigBinding.bind(TlsConfig.class, REQUIRED);

        assertEquals(new TlsConfig(Path.of("/etc/portcullis/tls/svc.pem"), Path.of("/etc/portcullis/tls/svc.key"),
                Path.of("/etc/portcullis/tls/ca.pem"), Duration.ofSeconds(10)), config);
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.of(
                "portcullis.tls.cert-file", "/run/spire/svid.pem",
                "portcullis.tls.key-file", "/run/spire/svid-key.pem",
                "portcullis.tls.ca-file", "/run/spire/bundle.pem",
                "portcullis.tls.reload-interval", "500ms");

        TlsConfig config = ConfigBinding.bind(TlsConfig.class, properties);

        assertEquals(Path.of("/run/spire/svid.pem"), config.certFile());
        assertEquals(Path.of("/run/spire/svid-key.pem"), config.keyFile());
        assertEquals(Path.of("/run/spire/bundle.pem"), config.caFile());
        assertEquals(Duration.ofMillis(500), config.reloadInterval());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            portcullis.tls.cert-file | portcullis.tls.cert-file is required: the PEM certificate chain of this service
            portcullis.tls.key-file  | portcullis.tls.key-file is required: the PKCS#8 PEM private key of this service
            portcullis.tls.ca-file   | portcullis.tls.ca-file is required: the PEM bundle of trusted CAs
            """)
    void missingFileStopsStartupNamingTheProperty(String key, String expected) {
        Map<String, Object> properties = new HashMap<>(REQUIRED);
        properties.remove(key);

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(TlsConfig.class, properties));

        assertEquals(expected, StartupFailure.describe(e));
    }

    @Test
    void zeroReloadIntervalStopsStartupNamingTheProperty() {
        Map<String, Object> properties = new HashMap<>(REQUIRED);
        properties.put("portcullis.tls.reload-interval", "0s");

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(TlsConfig.class, properties));

        assertEquals("portcullis.tls.reload-interval: must be a positive duration (was 0s)",
                StartupFailure.describe(e));
    }
}
