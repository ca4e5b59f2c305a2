package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's traces and metrics: an OpenTelemetry instance whose resource names the service,
 * and the few span operations domain code needs, so that domain packages stay free of the
 * OpenTelemetry API. Span attributes are names, ids, versions and outcomes only: never a secret,
 * a token, a certificate or a request body. Thread-safe.
 */
public final class Telemetry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Telemetry.class);
    private static final String SCOPE = "dev.portcullis";
    /** Bucket bounds of every duration histogram, in seconds: from an RPC's milliseconds to a task's hours. */
    private static final List<Double> DURATION_BUCKETS = List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0);

    private final String service;
    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final Meter meter;
    private final GrpcTelemetry grpc;
    private final ServerCallCounter serverCalls;
    private final Runnable shutdown;
    private final Optional<InetSocketAddress> prometheusAddress;

    private Telemetry(String service, OpenTelemetry openTelemetry, Runnable shutdown,
            Optional<InetSocketAddress> prometheusAddress) {
        this.service = requireNonNull(service, "service is null");
        this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry is null");
        this.shutdown = requireNonNull(shutdown, "shutdown is null");
        this.prometheusAddress = requireNonNull(prometheusAddress, "prometheusAddress is null");
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.meter = openTelemetry.getMeter(SCOPE);
        this.grpc = GrpcTelemetry.create(openTelemetry);
        this.serverCalls = new ServerCallCounter(meter);
    }

    /**
     * Telemetry of {@code service} through {@code openTelemetry}, which the caller owns and
     * shuts down (tests pass an SDK with in-memory exporters).
     */
    public static Telemetry of(String service, OpenTelemetry openTelemetry) {
        return new Telemetry(service, openTelemetry, () -> { }, Optional.empty());
    }

    /** Telemetry that records nothing (propagation still passes W3C context through). */
    public static Telemetry disabled(String service) {
        return of(service, OpenTelemetry.propagating(
                io.opentelemetry.context.propagation.ContextPropagators.create(
                        io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance())));
    }

    /**
     * Telemetry that owns {@code sdk} and the Prometheus {@code endpoint} reading from it, if any:
     * {@link #close()} flushes and shuts both down.
     */
    static Telemetry owning(String service, OpenTelemetrySdk sdk, Optional<PrometheusEndpoint> endpoint) {
        return new Telemetry(service, sdk, () -> {
            endpoint.ifPresent(PrometheusEndpoint::close);
            sdk.shutdown().join(10, java.util.concurrent.TimeUnit.SECONDS);
        }, endpoint.map(PrometheusEndpoint::address));
    }

    /** The service name spans and metrics carry ({@code service.name}). */
    public String service() {
        return service;
    }

    /** The OpenTelemetry instance (for transport interceptors and exporters). */
    public OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    /** The tracer of the suite's own spans. */
    public Tracer tracer() {
        return tracer;
    }

    /** The meter of the suite's own instruments. */
    public Meter meter() {
        return meter;
    }

    /**
     * For a gRPC server, added last so that it runs first (outside access control, so refused
     * calls are traced and counted too): OpenTelemetry's gRPC instrumentation (a server span per
     * call continuing the caller's W3C {@code traceparent}, current while the service handles the
     * call; {@code rpc.server.duration}) and our {@code rpc.server.calls} by status name.
     */
    public ServerInterceptor serverInterceptor() {
        ServerInterceptor tracing = grpc.createServerInterceptor();
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                return tracing.interceptCall(call, headers, (traced, same) -> serverCalls.interceptCall(traced, same, next));
            }
        };
    }

    /**
     * For a channel: OpenTelemetry's gRPC instrumentation (a client span per call, a child of the
     * current span, whose context travels as W3C {@code traceparent}; {@code rpc.client.duration}).
     */
    public ClientInterceptor clientInterceptor() {
        return grpc.createClientInterceptor();
    }

    /**
     * Where this service serves {@code /metrics} for Prometheus ({@code portcullis.telemetry.prometheus-port}),
     * when it does.
     */
    public Optional<InetSocketAddress> prometheusAddress() {
        return prometheusAddress;
    }

    /**
     * A counter named {@code name} (OpenTelemetry style, {@code portcullis.SERVICE.WHAT}), its
     * {@code unit} in UCUM ({@code {run}}, {@code {event}}, …). Asking twice for one name gives
     * the same series.
     */
    public Counter counter(String name, String unit, String description) {
        return new Counter(meter.counterBuilder(name).setUnit(unit).setDescription(description).build());
    }

    /** A histogram of durations in seconds, with buckets from 5 ms to 2 h. */
    public DurationHistogram durations(String name, String description) {
        return new DurationHistogram(meter.histogramBuilder(name).setUnit("s").setDescription(description)
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build());
    }

    /**
     * A gauge whose values {@code reading} gives at each collection, one per label set. A reading
     * that fails is logged and skipped: the series has a gap rather than a wrong value.
     */
    public ObservedMetric gauge(String name, String unit, String description,
            Supplier<? extends Map<Map<String, String>, ? extends Number>> reading) {
        requireNonNull(reading, "reading is null");
        return new ObservedMetric(meter.gaugeBuilder(name).setUnit(unit).setDescription(description)
                .buildWithCallback(measurement -> read(name, reading).forEach((labels, value) ->
                        measurement.record(value.doubleValue(), attributes(labels)))));
    }

    /**
     * A counter whose totals (monotonic, since start) {@code reading} gives at each collection,
     * for counts a component keeps anyway. Failures as for {@link #gauge}.
     */
    public ObservedMetric counted(String name, String unit, String description,
            Supplier<? extends Map<Map<String, String>, Long>> reading) {
        requireNonNull(reading, "reading is null");
        return new ObservedMetric(meter.counterBuilder(name).setUnit(unit).setDescription(description)
                .buildWithCallback(measurement -> read(name, reading).forEach((labels, value) ->
                        measurement.record(value.longValue(), attributes(labels)))));
    }

    private static Map<Map<String, String>, ? extends Number> read(String name,
            Supplier<? extends Map<Map<String, String>, ? extends Number>> reading) {
        try {
            return reading.get();
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("metric", name).addKeyValue("problem", e.toString()).log("telemetry.reading_failed");
            return Map.of();
        }
    }

    /**
     * Runs {@code work} in a new internal span, a child of the current one, with
     * {@code attributes}; a runtime exception marks the span as an error and is rethrown.
     */
    public <T> T inSpan(String name, Map<String, String> attributes, Supplier<T> work) {
        return run(tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL), attributes, work);
    }

    /** {@link #inSpan(String, Map, Supplier)} for work without a result. */
    public void inSpan(String name, Map<String, String> attributes, Runnable work) {
        inSpan(name, attributes, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs {@code work} in a new span whose parent is span {@code parentSpanId} of trace
     * {@code traceId}, recorded earlier and possibly elsewhere (e.g. the request that submitted
     * a run). Without a valid trace id the span starts a trace of its own.
     */
    public <T> T inTrace(String traceId, String parentSpanId, String name, Map<String, String> attributes,
            Supplier<T> work) {
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL);
        if (TraceId.isValid(traceId)) {
            String parent = SpanId.isValid(parentSpanId) ? parentSpanId : syntheticParent(traceId);
            SpanContext remote = SpanContext.createFromRemoteParent(traceId, parent, TraceFlags.getSampled(),
                    TraceState.getDefault());
            builder.setParent(Context.root().with(Span.wrap(remote)));
        } else {
            builder.setNoParent();
        }
        return run(builder, attributes, work);
    }

    /** {@link #inTrace(String, String, String, Map, Supplier)} for work without a result. */
    public void inTrace(String traceId, String parentSpanId, String name, Map<String, String> attributes, Runnable work) {
        inTrace(traceId, parentSpanId, name, attributes, () -> {
            work.run();
            return null;
        });
    }

    /** A span id that is valid but names no span: a trace's spans still group under its id. */
    private static String syntheticParent(String traceId) {
        return traceId.substring(0, 16).equals("0000000000000000") ? "0000000000000001" : traceId.substring(0, 16);
    }

    private <T> T run(SpanBuilder builder, Map<String, String> attributes, Supplier<T> work) {
        attributes.forEach((key, value) -> builder.setAttribute(AttributeKey.stringKey(key), value));
        Span span = builder.startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }

    /** Adds {@code attributes} to the current span, if one is recording. */
    public static void annotate(Map<String, String> attributes) {
        Span span = Span.current();
        attributes.forEach((key, value) -> span.setAttribute(AttributeKey.stringKey(key), value));
    }

    /** The trace id of the current span (32 lowercase hex), when one is active. */
    public static Optional<String> currentTraceId() {
        SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? Optional.of(context.getTraceId()) : Optional.empty();
    }

    /** The span id of the current span (16 lowercase hex), when one is active. */
    public static Optional<String> currentSpanId() {
        SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? Optional.of(context.getSpanId()) : Optional.empty();
    }

    /** Attributes from string pairs, for instruments. */
    static Attributes attributes(Map<String, String> values) {
        var builder = Attributes.builder();
        values.forEach(builder::put);
        return builder.build();
    }

    /** Flushes and stops exporting, when this instance owns its SDK. */
    @Override
    public void close() {
        shutdown.run();
    }
}
