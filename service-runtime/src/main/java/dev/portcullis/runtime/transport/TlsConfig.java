package dev.portcullis.runtime.transport;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The service's TLS identity and trust: a PEM certificate chain, its PKCS#8 PEM private key and
 * the PEM bundle of CAs whose certificates it accepts. The files are re-read whenever they
 * change (checked every {@code reload-interval}), so SPIRE, cert-manager or Vault PKI can rotate
 * them without a restart. Holds file paths only, never key material.
 * Every key is documented in docs/configuration.md.
 */
@ConfigurationProperties("portcullis.tls")
public record TlsConfig(
        @Nullable Path certFile,
        @Nullable Path keyFile,
        @Nullable Path caFile,
        @Bindable(defaultValue = "10s") @PositiveDuration Duration reloadInterval) {

    public TlsConfig {
        if (certFile == null) {
            throw new IllegalArgumentException("portcullis.tls.cert-file is required: the PEM certificate chain of this service");
        }
        if (keyFile == null) {
            throw new IllegalArgumentException("portcullis.tls.key-file is required: the PKCS#8 PEM private key of this service");
        }
        if (caFile == null) {
            throw new IllegalArgumentException("portcullis.tls.ca-file is required: the PEM bundle of trusted CAs");
        }
    }
}
