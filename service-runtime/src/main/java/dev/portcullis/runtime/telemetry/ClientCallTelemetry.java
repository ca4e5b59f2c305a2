package dev.portcullis.runtime.telemetry;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * A client span per outgoing call, a child of the current span, whose context travels to the
 * server as W3C {@code traceparent} metadata; and a latency histogram by method and status.
 */
public final class ClientCallTelemetry implements ClientInterceptor {
    private static final TextMapSetter<Metadata> SETTER = (carrier, key, value) ->
            carrier.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);

    private final Telemetry telemetry;
    private final DoubleHistogram duration;

    public ClientCallTelemetry(Telemetry telemetry) {
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.duration = telemetry.meter().histogramBuilder("rpc.client.duration")
                .setDescription("time from a call's start to its status, at the caller").setUnit("ms").build();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        String service = method.getServiceName();
        String bare = method.getBareMethodName();
        Context parent = Context.current();
        Span span = telemetry.tracer().spanBuilder(method.getFullMethodName()).setParent(parent)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(ServerCallTelemetry.RPC_SYSTEM, "grpc")
                .setAttribute(ServerCallTelemetry.RPC_SERVICE, service)
                .setAttribute(ServerCallTelemetry.RPC_METHOD, bare)
                .startSpan();
        Context context = parent.with(span);
        long started = System.nanoTime();
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                telemetry.openTelemetry().getPropagators().getTextMapPropagator().inject(context, headers, SETTER);
                super.start(new SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        span.setAttribute(ServerCallTelemetry.RPC_STATUS, (long) status.getCode().value());
                        if (!status.isOk()) {
                            span.setStatus(StatusCode.ERROR, status.getCode().name());
                        }
                        span.end();
                        duration.record((System.nanoTime() - started) / 1e6, Attributes.of(
                                ServerCallTelemetry.RPC_SERVICE, service, ServerCallTelemetry.RPC_METHOD, bare,
                                ServerCallTelemetry.RPC_STATUS_NAME, status.getCode().name()));
                        super.onClose(status, trailers);
                    }
                }, headers);
            }

            @Override
            public void cancel(String message, Throwable cause) {
                // the listener still sees onClose(CANCELLED), which ends the span
                super.cancel(message, cause);
            }
        };
    }
}
