package dev.portcullis.cli;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.portcullis.runtime.error.InvalidRequestException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/**
 * A failure as the person at the terminal (or the CI log) should read it: a refused call with its
 * status code, {@code ErrorInfo} reason and every {@code BadRequest} field; a request the CLI
 * refused itself with every bad option.
 */
public final class CallFailure {
    private CallFailure() {}

    /** One or more lines, without the "portcullis: " prefix. */
    public static String describe(Throwable failure) {
        if (failure instanceof StatusRuntimeException call) {
            return describe(call);
        }
        if (failure instanceof InvalidRequestException invalid) {
            List<String> lines = new ArrayList<>();
            invalid.violations().forEach(v -> lines.add(v.field() + ": " + v.description()));
            return String.join(System.lineSeparator() + "portcullis: ", lines);
        }
        return dev.portcullis.runtime.server.StartupFailure.describe(failure);
    }

    /** "CODE (REASON): message", then one indented line per bad field. */
    public static String describe(StatusRuntimeException failure) {
        StringBuilder text = new StringBuilder(failure.getStatus().getCode().name());
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        List<String> fields = new ArrayList<>();
        if (status != null) {
            for (Any detail : status.getDetailsList()) {
                try {
                    if (detail.is(ErrorInfo.class)) {
                        text.append(" (").append(detail.unpack(ErrorInfo.class).getReason()).append(')');
                    } else if (detail.is(BadRequest.class)) {
                        detail.unpack(BadRequest.class).getFieldViolationsList()
                                .forEach(v -> fields.add(v.getField() + ": " + v.getDescription()));
                    }
                } catch (InvalidProtocolBufferException e) {
                    // a detail we cannot read adds nothing the status line does not already say
                }
            }
        }
        String message = failure.getStatus().getDescription();
        if (message != null && !message.isBlank()) {
            text.append(": ").append(message);
        }
        fields.forEach(field -> text.append(System.lineSeparator()).append("  ").append(field));
        return text.toString();
    }
}
