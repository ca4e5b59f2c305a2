package dev.portcullis.runtime.transport;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Requests the transport refuses before any service code runs, made visible to
 * {@link AccessInterceptor} so they are answered and audited like every other refusal:
 *
 * <ul>
 *   <li>bytes that are not the method's protobuf message (too deeply nested, truncated, invalid
 *       UTF-8): grpc-java would end the call UNKNOWN and log it as an application error. Each
 *       method's request marshaller is wrapped so such bytes parse to a marker message, which
 *       the interceptor answers INVALID_ARGUMENT ({@code REQUEST_MALFORMED}).
 *   <li>a message over {@code max-inbound-message-bytes}: the transport ends the call
 *       RESOURCE_EXHAUSTED before reading it (memory stays bounded) and no service code runs. A
 *       stream tracer sees that status and hands it to the interceptor's callback for the call,
 *       whichever of the two comes first.
 * </ul>
 *
 * Thread-safe.
 */
final class InboundGuard extends ServerStreamTracer.Factory {
    static final Context.Key<CallWatch> WATCH = Context.key("portcullis-inbound-watch");

    // written while the server is built, read by every call afterwards
    private final Set<Object> malformedMarkers = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    /** {@code services} with every protobuf request marshaller wrapped. */
    List<ServerServiceDefinition> guard(List<ServerServiceDefinition> services) {
        List<ServerServiceDefinition> guarded = new ArrayList<>();
        for (ServerServiceDefinition service : services) {
            ServiceDescriptor descriptor = service.getServiceDescriptor();
            List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
            for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
                methods.add(guard(method));
            }
            ServiceDescriptor.Builder rebuilt = ServiceDescriptor.newBuilder(descriptor.getName())
                    .setSchemaDescriptor(descriptor.getSchemaDescriptor());
            methods.forEach(method -> rebuilt.addMethod(method.getMethodDescriptor()));
            ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(rebuilt.build());
            methods.forEach(definition::addMethod);
            guarded.add(definition.build());
        }
        return guarded;
    }

    private <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        if (!(descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> proto)
                || !(proto.getMessagePrototype() instanceof Message prototype)) {
            return method;
        }
        // a fresh instance, told apart by identity: an empty request is an equal but other object
        @SuppressWarnings("unchecked")
        Q marker = (Q) prototype.toBuilder().build();
        malformedMarkers.add(marker);
        MethodDescriptor.Marshaller<Q> lenient = new MethodDescriptor.PrototypeMarshaller<>() {
            @Override
            public InputStream stream(Q value) {
                return proto.stream(value);
            }

            @Override
            public Q parse(InputStream stream) {
                try {
                    return proto.parse(stream);
                } catch (RuntimeException e) {
                    // grpc-java's protobuf marshaller throws INTERNAL for any unparsable bytes
                    return marker;
                }
            }

            @Override
            public Q getMessagePrototype() {
                return proto.getMessagePrototype();
            }

            @Override
            public Class<Q> getMessageClass() {
                return proto.getMessageClass();
            }
        };
        return ServerMethodDefinition.create(descriptor.toBuilder(lenient, descriptor.getResponseMarshaller()).build(),
                method.getServerCallHandler());
    }

    /** True for what a guarded marshaller returns in place of unparsable bytes. */
    boolean isMalformed(Object message) {
        return malformedMarkers.contains(message);
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        return new CallWatch();
    }

    /**
     * One call's meeting point of the transport's final status and the interceptor: the
     * interceptor registers what to do about a refusal the transport made, and marks a call the
     * service closed itself; whoever comes second runs the callback.
     */
    static final class CallWatch extends ServerStreamTracer {
        // guarded by this
        private Consumer<Status> onTransportRefusal;
        private Status transportRefusal;
        private boolean closedByServer;
        private boolean reported;

        @Override
        public Context filterContext(Context context) {
            return context.withValue(WATCH, this);
        }

        /** The status was set by our code (a refusal or a reply), not by the transport. */
        synchronized void closedByServer() {
            closedByServer = true;
        }

        /** Runs {@code callback} once if the transport refuses the call's message as too large. */
        void onTransportRefusal(Consumer<Status> callback) {
            Status refusal;
            synchronized (this) {
                onTransportRefusal = callback;
                refusal = takeReport();
            }
            if (refusal != null) {
                callback.accept(refusal);
            }
        }

        @Override
        public void streamClosed(Status status) {
            Consumer<Status> callback;
            Status refusal;
            synchronized (this) {
                if (closedByServer || status.getCode() != Status.Code.RESOURCE_EXHAUSTED) {
                    return;
                }
                transportRefusal = status;
                callback = onTransportRefusal;
                refusal = takeReport();
            }
            if (refusal != null && callback != null) {
                callback.accept(refusal);
            }
        }

        private Status takeReport() {
            if (reported || transportRefusal == null || onTransportRefusal == null) {
                return null;
            }
            reported = true;
            return transportRefusal;
        }
    }
}
