package dev.portcullis.runtime.transport;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.error.InvalidRequestException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns failures into the gRPC status a caller sees: a {@link DomainException} becomes its
 * code with {@code ErrorInfo} (domain "portcullis"), plus {@code BadRequest} listing every field
 * violation, or {@code RetryInfo} when retrying can help; anything else becomes INTERNAL with a
 * fixed message, its detail logged here and never sent. Each service's api error mapper
 * delegates here after handling its own special cases.
 */
public final class ErrorStatus {
    private static final Logger log = LoggerFactory.getLogger(ErrorStatus.class);

    private ErrorStatus() {}

    /**
     * Answers a unary call: the reply {@code answer} makes, then completion; or, when making it
     * fails, the status {@link #of} gives. The reply is sent outside the failure handling, so a
     * failure of sending it is not answered a second time.
     */
    public static <T> void reply(StreamObserver<T> response, Supplier<T> answer) {
        T reply;
        try {
            reply = answer.get();
        } catch (RuntimeException e) {
            response.onError(of(e));
            return;
        }
        response.onNext(reply);
        response.onCompleted();
    }

    /** The status exception for {@code failure}. */
    public static StatusRuntimeException of(Throwable failure) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder();
        if (failure instanceof DomainException domain) {
            status.setCode(codeOf(domain.kind()).getNumber()).setMessage(domain.getMessage());
            status.addDetails(Any.pack(ErrorInfo.newBuilder()
                    .setDomain(AccessInterceptor.ERROR_DOMAIN)
                    .setReason(domain.reason())
                    .putAllMetadata(domain.metadata())
                    .build()));
            if (domain instanceof InvalidRequestException invalid) {
                BadRequest.Builder badRequest = BadRequest.newBuilder();
                invalid.violations().forEach(v -> badRequest.addFieldViolations(
                        BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description())));
                status.addDetails(Any.pack(badRequest.build()));
            }
            if (domain.kind() == DomainException.Kind.UNAVAILABLE || domain.kind() == DomainException.Kind.EXHAUSTED) {
                status.addDetails(Any.pack(RetryInfo.newBuilder()
                        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                        .build()));
            }
        } else {
            log.atError().setCause(failure).log("rpc.unexpected_failure");
            status.setCode(Code.INTERNAL_VALUE).setMessage("internal error");
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    private static Code codeOf(DomainException.Kind kind) {
        return switch (kind) {
            case INVALID -> Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Code.NOT_FOUND;
            case DENIED -> Code.PERMISSION_DENIED;
            case CONFLICT -> Code.ABORTED;
            case EXISTS -> Code.ALREADY_EXISTS;
            case OUT_OF_RANGE -> Code.OUT_OF_RANGE;
            case EXHAUSTED -> Code.RESOURCE_EXHAUSTED;
            case PRECONDITION -> Code.FAILED_PRECONDITION;
            case UNAVAILABLE -> Code.UNAVAILABLE;
            case TOO_LARGE -> Code.RESOURCE_EXHAUSTED;
        };
    }
}
