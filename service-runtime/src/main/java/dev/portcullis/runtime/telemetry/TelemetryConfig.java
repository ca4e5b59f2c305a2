package dev.portcullis.runtime.telemetry;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Telemetry settings of one service beyond the standard {@code OTEL_*} variables. Every key is
 * documented in docs/configuration.md.
 *
 * @param prometheusPort {@code -1} (the default) for none; otherwise the TCP port of a plain HTTP
 *     endpoint serving the service's metrics in Prometheus' text format at {@code /metrics};
 *     0 picks a free one (tests)
 * @param prometheusHost the address that endpoint binds; loopback by default, {@code 0.0.0.0}
 *     for a scraper in another pod
 */
@ConfigurationProperties("portcullis.telemetry")
public record TelemetryConfig(
        @Bindable(defaultValue = "-1") @Min(NO_PROMETHEUS) @Max(65535) int prometheusPort,
        @Bindable(defaultValue = "127.0.0.1") String prometheusHost) {

    /** No Prometheus endpoint: the value of {@code prometheus-port} that switches it off. */
    public static final int NO_PROMETHEUS = -1;

    public TelemetryConfig {
        if (prometheusHost == null || prometheusHost.isBlank()) {
            throw new IllegalArgumentException("portcullis.telemetry.prometheus-host must name an address to bind");
        }
    }
}
