package dev.portcullis.console.api;

import com.google.rpc.ErrorInfo;
import dev.portcullis.console.signin.IdToken;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.Executor;

/**
 * What every call of the console carries and how its failures read: the user's ID token as
 * {@code authorization: Bearer} on the console's own mTLS channel, and a refusal turned into a
 * {@link CallRefusedException}.
 */
final class Calls {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private Calls() {}

    /** Call credentials sending {@code token}; the token is put in the header and nowhere else. */
    static CallCredentials bearer(IdToken token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(AUTHORIZATION, "Bearer " + token.bearerValue());
                applier.apply(headers);
            }
        };
    }

    /** The refusal as the pages show it. */
    static CallRefusedException refusal(StatusRuntimeException failure) {
        Status status = failure.getStatus();
        String reason = "";
        com.google.rpc.Status details = StatusProto.fromThrowable(failure);
        if (details != null) {
            for (com.google.protobuf.Any any : details.getDetailsList()) {
                if (any.is(ErrorInfo.class)) {
                    try {
                        reason = any.unpack(ErrorInfo.class).getReason();
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        reason = "";
                    }
                }
            }
        }
        String message = switch (status.getCode()) {
            case UNAVAILABLE -> "the service is unavailable; try again shortly";
            case DEADLINE_EXCEEDED -> "the service did not answer in time; try again";
            case INTERNAL, UNKNOWN -> "the service failed; try again";
            default -> status.getDescription() == null ? status.getCode().name() : status.getDescription();
        };
        return new CallRefusedException(status.getCode().name(), reason, message);
    }
}
