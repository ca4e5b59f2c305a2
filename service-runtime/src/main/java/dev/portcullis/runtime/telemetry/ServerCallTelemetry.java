package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server span per call, continuing the caller's W3C {@code traceparent} from the metadata,
 * current while the service handles the call; and per-method call counts by status code and a
 * latency histogram. Runs outermost, so calls refused by access control are counted too.
 */
public final class ServerCallTelemetry implements ServerInterceptor {
    static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<Long> RPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");
    static final AttributeKey<String> RPC_STATUS_NAME = AttributeKey.stringKey("rpc.grpc.status");

    private static final TextMapGetter<Metadata> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
            return carrier.keys();
        }

        @Override
        public String get(Metadata carrier, String key) {
            return carrier == null ? null : carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        }
    };

    private final Telemetry telemetry;
    private final LongCounter calls;
    private final DoubleHistogram duration;

    public ServerCallTelemetry(Telemetry telemetry) {
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.calls = telemetry.meter().counterBuilder("rpc.server.calls")
                .setDescription("gRPC calls handled, by method and status code").setUnit("{call}").build();
        this.duration = telemetry.meter().histogramBuilder("rpc.server.duration")
                .setDescription("time from a call's headers to its status").setUnit("ms").build();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String fullName = call.getMethodDescriptor().getFullMethodName();
        String service = call.getMethodDescriptor().getServiceName();
        String method = call.getMethodDescriptor().getBareMethodName();
        Context parent = telemetry.openTelemetry().getPropagators().getTextMapPropagator()
                .extract(Context.root(), headers, GETTER);
        Span span = telemetry.tracer().spanBuilder(fullName).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(RPC_SYSTEM, "grpc").setAttribute(RPC_SERVICE, service).setAttribute(RPC_METHOD, method)
                .startSpan();
        Context context = parent.with(span);
        Observation observation = new Observation(span, service, method);
        ServerCall<Q, R> observed = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                observation.end(status);
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> delegate;
        try (Scope ignored = context.makeCurrent()) {
            delegate = next.startCall(observed, headers);
        } catch (RuntimeException e) {
            observation.end(Status.INTERNAL);
            throw e;
        }
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                try (Scope ignored = context.makeCurrent()) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onCancel() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onCancel();
                } finally {
                    observation.end(Status.CANCELLED);
                }
            }

            @Override
            public void onComplete() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onComplete();
                }
            }

            @Override
            public void onReady() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onReady();
                }
            }
        };
    }

    /** One call's span and measurements, ended once: close and cancel may both happen. */
    private final class Observation {
        private final Span span;
        private final String service;
        private final String method;
        private final long started = System.nanoTime();
        private final AtomicBoolean ended = new AtomicBoolean();

        Observation(Span span, String service, String method) {
            this.span = span;
            this.service = service;
            this.method = method;
        }

        void end(Status status) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            span.setAttribute(RPC_STATUS, (long) status.getCode().value());
            if (!status.isOk()) {
                span.setStatus(StatusCode.ERROR, status.getCode().name());
            }
            span.end();
            Attributes attributes = Attributes.of(RPC_SERVICE, service, RPC_METHOD, method, RPC_STATUS_NAME,
                    status.getCode().name());
            calls.add(1, attributes);
            duration.record((System.nanoTime() - started) / 1e6, attributes);
        }
    }
}
