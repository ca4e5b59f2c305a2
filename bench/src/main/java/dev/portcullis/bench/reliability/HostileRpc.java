package dev.portcullis.bench.reliability;

import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.CancelRunRequest;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.WatchRunRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;

/**
 * The RPCs a hostile case may call: the service, the method and the request type it sends. A
 * server-streaming RPC is called for its first message, which is where a refusal shows.
 */
enum HostileRpc {
    SUBMIT_RUN(Service.GATEWAY, GatewayServiceGrpc.getSubmitRunMethod(), SubmitRunRequest.class),
    /** SubmitRun with bytes no protobuf encoder writes. */
    SUBMIT_RUN_BYTES(Service.GATEWAY, MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(GatewayServiceGrpc.getSubmitRunMethod().getFullMethodName())
            .setRequestMarshaller(RawBytesMarshaller.INSTANCE)
            .setResponseMarshaller(RawBytesMarshaller.INSTANCE)
            .build(), byte[].class),
    LIST_RUNS(Service.GATEWAY, GatewayServiceGrpc.getListRunsMethod(), ListRunsRequest.class),
    GET_RUN(Service.GATEWAY, GatewayServiceGrpc.getGetRunMethod(), GetRunRequest.class),
    WATCH_RUN(Service.GATEWAY, GatewayServiceGrpc.getWatchRunMethod(), WatchRunRequest.class),
    CANCEL_RUN(Service.GATEWAY, GatewayServiceGrpc.getCancelRunMethod(), CancelRunRequest.class),
    APPROVE_RUN(Service.GATEWAY, GatewayServiceGrpc.getApproveRunMethod(), ApproveRunRequest.class),
    REJECT_RUN(Service.GATEWAY, GatewayServiceGrpc.getRejectRunMethod(), RejectRunRequest.class),
    AUDIT_QUERY(Service.AUDIT, AuditServiceGrpc.getQueryMethod(), QueryRequest.class);

    /** The suite's services the corpus reaches. */
    enum Service { GATEWAY, AUDIT }

    private final Service service;
    private final MethodDescriptor<?, ?> method;
    private final Class<?> requestType;

    HostileRpc(Service service, MethodDescriptor<?, ?> method, Class<?> requestType) {
        this.service = service;
        this.method = method;
        this.requestType = requestType;
    }

    Service service() {
        return service;
    }

    /** Whether {@code request} is what this RPC sends. */
    boolean accepts(Object request) {
        return requestType.isInstance(request);
    }

    /**
     * Sends {@code request} and returns the response (of a stream, the first message).
     *
     * @throws io.grpc.StatusRuntimeException when the call fails
     */
    Object call(Channel channel, CallOptions options, Object request) {
        if (!accepts(request)) {
            throw new IllegalArgumentException(this + " does not send a " + request.getClass().getSimpleName());
        }
        @SuppressWarnings("unchecked") // the request's type was checked just above
        MethodDescriptor<Object, Object> untyped = (MethodDescriptor<Object, Object>) method;
        return switch (untyped.getType()) {
            case UNARY -> ClientCalls.blockingUnaryCall(channel, untyped, options, request);
            case SERVER_STREAMING -> ClientCalls.blockingServerStreamingCall(channel, untyped, options, request).next();
            default -> throw new IllegalStateException(this + " is neither unary nor server-streaming");
        };
    }
}
