package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.OpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a service's {@link Telemetry} from the standard {@code OTEL_*} environment variables
 * and {@link TelemetryConfig}. Nothing is exported unless asked: OTLP traces and metrics when
 * {@code OTEL_TRACES_EXPORTER}/{@code OTEL_METRICS_EXPORTER} say {@code otlp} or an OTLP
 * endpoint is set, the Prometheus endpoint when its port is configured. Header values (which may
 * hold a collector's token) are passed to the exporter and never logged or echoed.
 */
public final class TelemetryEnvironment {
    private static final Logger log = LoggerFactory.getLogger(TelemetryEnvironment.class);

    private TelemetryEnvironment() {}

    /**
     * @param service the suite's service name; the resource's {@code service.name} is
     *     {@code portcullis-SERVICE}
     * @param env the environment (usually {@link System#getenv()})
     * @throws IllegalArgumentException naming the variable whose value is not understood
     */
    public static Telemetry build(String service, Map<String, String> env, TelemetryConfig config) {
        requireNonNull(service, "service is null");
        requireNonNull(env, "env is null");
        requireNonNull(config, "config is null");
        if ("true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", "false").strip())) {
            return Telemetry.disabled(service);
        }
        Resource resource = Resource.getDefault().merge(Resource.create(resourceAttributes(service, env)));
        OpenTelemetrySdkBuilder sdk = OpenTelemetrySdk.builder()
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
        var tracing = SdkTracerProvider.builder().setResource(resource);
        if (exporter(env, "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
            tracing.addSpanProcessor(BatchSpanProcessor.builder(spanExporter(env)).build());
        }
        SdkMeterProviderBuilder metrics = SdkMeterProvider.builder().setResource(resource);
        if (exporter(env, "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) {
            metrics.registerMetricReader(PeriodicMetricReader.builder(metricExporter(env)).build());
        }
        Optional<PrometheusMetricReader> prometheus = config.prometheusPort() == TelemetryConfig.NO_PROMETHEUS
                ? Optional.empty() : Optional.of(PrometheusMetricReader.builder()
                        // every series names its service: dev mode serves four from one host
                        .setAllowedResourceAttributesFilter("service.name"::equals).build());
        prometheus.ifPresent(metrics::registerMetricReader);
        OpenTelemetrySdk built = sdk.setTracerProvider(tracing.build()).setMeterProvider(metrics.build()).build();
        Optional<PrometheusEndpoint> endpoint;
        try {
            endpoint = prometheus.map(reader -> PrometheusEndpoint.start(reader, config.prometheusHost(),
                    config.prometheusPort(), service));
        } catch (RuntimeException e) {
            built.shutdown();
            throw e;
        }
        endpoint.ifPresent(served -> log.atInfo().addKeyValue("service", service)
                .addKeyValue("address", served.address().getHostString() + ":" + served.address().getPort())
                .addKeyValue("path", "/metrics").log("telemetry.prometheus_serving"));
        return Telemetry.owning(service, built, endpoint);
    }

    private static Attributes resourceAttributes(String service, Map<String, String> env) {
        AttributesBuilder attributes = Attributes.builder();
        for (Map.Entry<String, String> pair : pairs(env, "OTEL_RESOURCE_ATTRIBUTES").entrySet()) {
            attributes.put(pair.getKey(), pair.getValue());
        }
        // several services share one JVM in dev mode: each names itself, whatever OTEL_SERVICE_NAME says
        attributes.put("service.name", "portcullis-" + service);
        attributes.put("service.namespace", "portcullis");
        return attributes.build();
    }

    /** Whether OTLP export is asked for: {@code otlp}, or unset with an endpoint configured. */
    private static boolean exporter(Map<String, String> env, String variable, String signalEndpoint) {
        String value = env.getOrDefault(variable, "").strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "otlp" -> true;
            case "none" -> false;
            case "" -> env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || env.containsKey(signalEndpoint);
            default -> throw new IllegalArgumentException(variable + " must be otlp or none");
        };
    }

    private static boolean http(Map<String, String> env) {
        String protocol = env.getOrDefault("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc").strip();
        return switch (protocol) {
            case "grpc" -> false;
            case "http/protobuf" -> true;
            default -> throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf");
        };
    }

    private static SpanExporter spanExporter(Map<String, String> env) {
        Optional<String> endpoint = endpoint(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "/v1/traces");
        Map<String, String> headers = pairs(env, "OTEL_EXPORTER_OTLP_HEADERS");
        if (http(env)) {
            var builder = OtlpHttpSpanExporter.builder();
            endpoint.ifPresent(builder::setEndpoint);
            headers.forEach(builder::addHeader);
            return builder.build();
        }
        var builder = OtlpGrpcSpanExporter.builder();
        endpoint.ifPresent(builder::setEndpoint);
        headers.forEach(builder::addHeader);
        return builder.build();
    }

    private static MetricExporter metricExporter(Map<String, String> env) {
        Optional<String> endpoint = endpoint(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "/v1/metrics");
        Map<String, String> headers = pairs(env, "OTEL_EXPORTER_OTLP_HEADERS");
        if (http(env)) {
            var builder = OtlpHttpMetricExporter.builder();
            endpoint.ifPresent(builder::setEndpoint);
            headers.forEach(builder::addHeader);
            return builder.build();
        }
        var builder = OtlpGrpcMetricExporter.builder();
        endpoint.ifPresent(builder::setEndpoint);
        headers.forEach(builder::addHeader);
        return builder.build();
    }

    /** The signal's own endpoint as given, else the base endpoint (with the signal path for HTTP). */
    private static Optional<String> endpoint(Map<String, String> env, String signalVariable, String httpPath) {
        String signal = env.getOrDefault(signalVariable, "").strip();
        String base = env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip();
        String variable = signal.isEmpty() ? "OTEL_EXPORTER_OTLP_ENDPOINT" : signalVariable;
        String value = signal.isEmpty() ? base : signal;
        if (value.isEmpty()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + " must be an http(s) URL");
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new IllegalArgumentException(variable + " must be an http(s) URL");
        }
        if (signal.isEmpty() && http(env)) {
            return Optional.of(value.replaceAll("/+$", "") + httpPath);
        }
        return Optional.of(value);
    }

    /** "k=v,k2=v2" (W3C baggage style, as the OTEL_* variables use); bad entries are refused. */
    private static Map<String, String> pairs(Map<String, String> env, String variable) {
        String value = env.getOrDefault(variable, "").strip();
        Map<String, String> pairs = new java.util.LinkedHashMap<>();
        if (value.isEmpty()) {
            return pairs;
        }
        for (String entry : value.split(",")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                // the value may be a credential: name the variable, never quote it
                throw new IllegalArgumentException(variable + " must be a list of key=value pairs separated by commas");
            }
            pairs.put(entry.substring(0, eq).strip(),
                    java.net.URLDecoder.decode(entry.substring(eq + 1).strip(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return pairs;
    }
}
