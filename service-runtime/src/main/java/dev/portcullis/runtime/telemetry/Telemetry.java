package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

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
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One service's traces and metrics: an OpenTelemetry instance whose resource names the service,
 * and the few span operations domain code needs, so that domain packages stay free of the
 * OpenTelemetry API. Span attributes are names, ids, versions and outcomes only: never a secret,
 * a token, a certificate or a request body. Thread-safe.
 */
public final class Telemetry implements AutoCloseable {
    private static final String SCOPE = "dev.portcullis";

    private final String service;
    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final Meter meter;
    private final Runnable shutdown;

    private Telemetry(String service, OpenTelemetry openTelemetry, Runnable shutdown) {
        this.service = requireNonNull(service, "service is null");
        this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry is null");
        this.shutdown = requireNonNull(shutdown, "shutdown is null");
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.meter = openTelemetry.getMeter(SCOPE);
    }

    /**
     * Telemetry of {@code service} through {@code openTelemetry}, which the caller owns and
     * shuts down (tests pass an SDK with in-memory exporters).
     */
    public static Telemetry of(String service, OpenTelemetry openTelemetry) {
        return new Telemetry(service, openTelemetry, () -> { });
    }

    /** Telemetry that records nothing (propagation still passes W3C context through). */
    public static Telemetry disabled(String service) {
        return of(service, OpenTelemetry.propagating(
                io.opentelemetry.context.propagation.ContextPropagators.create(
                        io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance())));
    }

    /** Telemetry that owns {@code sdk}: {@link #close()} flushes and shuts it down. */
    static Telemetry owning(String service, OpenTelemetrySdk sdk) {
        return new Telemetry(service, sdk, () -> sdk.shutdown().join(10, java.util.concurrent.TimeUnit.SECONDS));
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
