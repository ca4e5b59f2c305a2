package dev.portcullis.console.server;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.time.Duration;

/**
 * Where the console listens, the URL browsers reach it at, the gateway and audit service it calls
 * (over mTLS with {@code portcullis.tls.*}, the console's own identity), and how long sessions and
 * calls last. Every key is documented in docs/console.md.
 */
@ConfigurationProperties("portcullis.console")
public record ConsoleConfig(
        @Bindable(defaultValue = "0.0.0.0") @NotBlank String host,
        @Bindable(defaultValue = "8443") @Min(0) @Max(65535) int port,
        @Nullable URI publicUrl,
        @Nullable String gatewayAddress,
        @Nullable String auditAddress,
        @Bindable(defaultValue = "30m") @PositiveDuration(max = "12h") Duration sessionIdleTimeout,
        @Bindable(defaultValue = "10s") @PositiveDuration(max = "60s") Duration callTimeout) {

    public ConsoleConfig {
        if (publicUrl == null || !"https".equals(publicUrl.getScheme()) || publicUrl.getHost() == null
                || publicUrl.getRawQuery() != null || publicUrl.getRawFragment() != null
                || !(publicUrl.getRawPath() == null || publicUrl.getRawPath().isEmpty() || publicUrl.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("portcullis.console.public-url is required: the https URL browsers reach the console at,"
                    + " without a path (e.g. https://console.example.org)");
        }
        if (gatewayAddress == null || gatewayAddress.isBlank()) {
            throw new IllegalArgumentException("portcullis.console.gateway-address is required: the gateway's host:port");
        }
        if (auditAddress == null || auditAddress.isBlank()) {
            throw new IllegalArgumentException("portcullis.console.audit-address is required: the audit service's host:port");
        }
    }

    /** The redirect URI to register at the identity provider: {@code PUBLIC_URL/signin/callback}. */
    public URI redirectUri() {
        return URI.create(publicUrl.toString().replaceAll("/$", "") + "/signin/callback");
    }
}
