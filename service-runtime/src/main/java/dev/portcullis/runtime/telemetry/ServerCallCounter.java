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
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code rpc.server.calls}: the calls a server handled, by method and status name, which the
 * dashboard's request and error rates read. OpenTelemetry's gRPC instrumentation records the
 * spans and {@code rpc.server.duration} but counts nothing by status name.
 */
final class ServerCallCounter implements ServerInterceptor {
    private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    private static final AttributeKey<String> RPC_STATUS_NAME = AttributeKey.stringKey("rpc.grpc.status");

    private final LongCounter calls;

    ServerCallCounter(Meter meter) {
        this.calls = requireNonNull(meter, "meter is null").counterBuilder("rpc.server.calls")
                .setDescription("gRPC calls handled, by method and status code").setUnit("{call}").build();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Count count = new Count(call.getMethodDescriptor().getServiceName(), call.getMethodDescriptor().getBareMethodName());
        ServerCall<Q, R> counted = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                count.once(status);
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> delegate;
        try {
            delegate = next.startCall(counted, headers);
        } catch (RuntimeException e) {
            count.once(Status.INTERNAL);
            throw e;
        }
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    count.once(Status.CANCELLED);
                }
            }
        };
    }

    /** One call, counted once: close and cancel may both happen. */
    private final class Count {
        private final String service;
        private final String method;
        private final AtomicBoolean counted = new AtomicBoolean();

        Count(String service, String method) {
            this.service = service;
            this.method = method;
        }

        void once(Status status) {
            if (counted.compareAndSet(false, true)) {
                calls.add(1, Attributes.of(RPC_SERVICE, service, RPC_METHOD, method, RPC_STATUS_NAME,
                        status.getCode().name()));
            }
        }
    }
}
