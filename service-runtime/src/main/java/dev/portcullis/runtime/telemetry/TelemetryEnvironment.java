package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a service's {@link Telemetry}: the SDK's own autoconfiguration reads the standard
 * {@code OTEL_*} environment variables (and {@code otel.*} system properties), with three
 * defaults of ours (docs/operations.md): nothing is exported unless asked (OTLP traces and
 * metrics only when {@code OTEL_TRACES_EXPORTER}/{@code OTEL_METRICS_EXPORTER} say so or an OTLP
 * endpoint is set; no log export), only W3C trace context is propagated, and {@code service.name}
 * is always {@code portcullis-SERVICE}. The Prometheus endpoint of {@link TelemetryConfig} is a
 * listener of ours that reads the same meter provider.
 */
public final class TelemetryEnvironment {
    private static final Logger log = LoggerFactory.getLogger(TelemetryEnvironment.class);

    private TelemetryEnvironment() {}

    /**
     * @param service the suite's service name; the resource's {@code service.name} is
     *     {@code portcullis-SERVICE}
     * @throws IllegalArgumentException with the SDK's message, naming the property
     *     ({@code otel.traces.exporter} for {@code OTEL_TRACES_EXPORTER}) whose value it does not understand
     */
    public static Telemetry build(String service, TelemetryConfig config) {
        requireNonNull(service, "service is null");
        requireNonNull(config, "config is null");
        Optional<PrometheusMetricReader> prometheus = config.prometheusPort() == TelemetryConfig.NO_PROMETHEUS
                ? Optional.empty() : Optional.of(PrometheusMetricReader.builder()
                        // every series names its service: dev mode serves four from one host
                        .setAllowedResourceAttributesFilter("service.name"::equals).build());
        // stays false when OTEL_SDK_DISABLED leaves the SDK without a meter provider
        AtomicBoolean read = new AtomicBoolean();
        AutoConfiguredOpenTelemetrySdk configured;
        try {
            configured = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesCustomizer(TelemetryEnvironment::defaults)
                    // several services share one JVM in dev mode: each names itself, whatever OTEL_SERVICE_NAME says
                    .addResourceCustomizer((resource, properties) -> resource.merge(Resource.create(Attributes.builder()
                            .put("service.name", "portcullis-" + service)
                            .put("service.namespace", "portcullis").build())))
                    .addMeterProviderCustomizer((metrics, properties) -> {
                        prometheus.ifPresent(reader -> {
                            metrics.registerMetricReader(reader);
                            read.set(true);
                        });
                        return metrics;
                    })
                    // Telemetry.close() flushes; the SDK is not the process's global one
                    .disableShutdownHook()
                    .build();
        } catch (ConfigurationException e) {
            // the SDK quotes a refused value ("Invalid map property: otel.exporter.otlp.headers=Authorization=…"),
            // and header values are credentials: keep the property, never the value, and drop the cause
            throw new IllegalArgumentException(withoutValue(String.valueOf(e.getMessage())));
        }
        OpenTelemetrySdk sdk = configured.getOpenTelemetrySdk();
        Optional<PrometheusEndpoint> endpoint;
        try {
            endpoint = prometheus.filter(reader -> read.get()).map(reader -> PrometheusEndpoint.start(reader, config.prometheusHost(),
                    config.prometheusPort(), service));
        } catch (RuntimeException e) {
            sdk.shutdown();
            throw e;
        }
        endpoint.ifPresent(served -> log.atInfo().addKeyValue("service", service)
                .addKeyValue("address", served.address().getHostString() + ":" + served.address().getPort())
                .addKeyValue("path", "/metrics").log("telemetry.prometheus_serving"));
        return Telemetry.owning(service, sdk, endpoint);
    }

    /**
     * Our defaults where the variable is unset: the SDK's own would export traces, metrics and
     * logs to an OTLP collector on localhost, and propagate baggage too.
     */
    private static Map<String, String> defaults(ConfigProperties properties) {
        boolean endpoint = properties.getString("otel.exporter.otlp.endpoint") != null;
        Map<String, String> defaults = new HashMap<>();
        for (String signal : new String[] {"traces", "metrics"}) {
            if (properties.getString("otel." + signal + ".exporter") == null) {
                boolean asked = endpoint || properties.getString("otel.exporter.otlp." + signal + ".endpoint") != null;
                defaults.put("otel." + signal + ".exporter", asked ? "otlp" : "none");
            }
        }
        if (properties.getString("otel.logs.exporter") == null) {
            defaults.put("otel.logs.exporter", "none");
        }
        if (properties.getList("otel.propagators").isEmpty()) {
            defaults.put("otel.propagators", "tracecontext");
        }
        return defaults;
    }

    /** The SDK's message up to the first {@code =}: the property it names, not the value it quotes. */
    static String withoutValue(String message) {
        int equals = message.indexOf('=');
        return equals < 0 ? message : message.substring(0, equals) + " (value not shown)";
    }
}
