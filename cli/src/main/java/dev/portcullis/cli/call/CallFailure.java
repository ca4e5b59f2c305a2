package dev.portcullis.cli.call;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.server.StartupFailure;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A failure as the person at the terminal (or the CI log) should read it: a call that never
 * reached the service with its {@link ConnectionFailure} explanation; a refused call with its
 * status code, {@code ErrorInfo} reason, the roles it needed and every {@code BadRequest} field; a
 * request the CLI refused itself with every bad option; anything else as one line. Never a stack
 * trace, an exception class path or Netty's channel pipeline.
 */
public final class CallFailure {
    // "io exception\nChannel Pipeline: [SslHandler#0, ...]": grpc-netty's description of a transport error
    private static final Pattern PIPELINE = Pattern.compile("\\s*Channel Pipeline:.*", Pattern.DOTALL);
    // "java.lang.Exception: Error setting certificate": a cause's class name, not meant for the user
    private static final Pattern EXCEPTION_CLASS = Pattern.compile("([a-zA-Z_$][\\w$]*\\.)*[A-Z][\\w$]*(Exception|Error): ");

    private CallFailure() {}

    /** One or more lines, without the "portcullis: " prefix. */
    public static String describe(Throwable failure) {
        Optional<ConnectionFailure> connection = ConnectionFailure.in(failure);
        if (connection.isPresent()) {
            return connection.get().getMessage();
        }
        if (failure instanceof StatusRuntimeException call) {
            return describe(call);
        }
        if (failure instanceof InvalidRequestException invalid) {
            List<String> lines = new ArrayList<>();
            invalid.violations().forEach(v -> lines.add(v.field() + ": " + v.description()));
            return String.join(System.lineSeparator() + "portcullis: ", lines);
        }
        return oneLine(StartupFailure.describe(failure));
    }

    /**
     * "CODE (REASON): message", then one indented line per bad field, and for a refused role the
     * roles that would have been admitted and the identity that was not.
     */
    public static String describe(StatusRuntimeException failure) {
        Optional<ConnectionFailure> connection = ConnectionFailure.in(failure);
        if (connection.isPresent()) {
            return connection.get().getMessage();
        }
        StringBuilder text = new StringBuilder(failure.getStatus().getCode().name());
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        List<String> fields = new ArrayList<>();
        if (status != null) {
            for (Any detail : status.getDetailsList()) {
                try {
                    if (detail.is(ErrorInfo.class)) {
                        ErrorInfo info = detail.unpack(ErrorInfo.class);
                        text.append(" (").append(info.getReason()).append(')');
                        roles(info).ifPresent(fields::add);
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
        if (message != null && !oneLine(message).isBlank()) {
            text.append(": ").append(oneLine(message));
        } else if (failure.getStatus().getCause() != null) {
            text.append(": ").append(oneLine(String.valueOf(failure.getStatus().getCause().getMessage())));
        }
        fields.forEach(field -> text.append(System.lineSeparator()).append("  ").append(field));
        return text.toString();
    }

    /** "needs one of the roles: approver, admin; refused identity: spiffe://…; …", when the server said which. */
    private static Optional<String> roles(ErrorInfo info) {
        String required = info.getMetadataOrDefault("required_roles", "");
        if (required.isBlank()) {
            return Optional.empty();
        }
        String identity = info.getMetadataOrDefault("identity", "this identity");
        return Optional.of("needs one of the roles: " + String.join(", ", required.split(",")) + "; refused identity: "
                + identity + " (the certificate in PORTCULLIS_CERT_FILE). Call with the certificate of an identity that"
                + " holds one of these roles, or ask an admin to map this identity to one (portcullis.roles.ROLE)");
    }

    /**
     * The first line of {@code text} without Netty's channel pipeline or exception class names:
     * what may be shown of a message that did not come from us.
     */
    static String oneLine(String text) {
        String line = PIPELINE.matcher(text).replaceAll("").strip();
        int end = line.indexOf('\n');
        if (end >= 0) {
            line = line.substring(0, end).strip();
        }
        return EXCEPTION_CLASS.matcher(line).replaceAll("");
    }
}
