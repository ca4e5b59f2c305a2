package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What a hostile case must get back: a gRPC refusal, or a run the policy denied. */
sealed interface ExpectedOutcome {
    /** Why {@code outcome} (a response or a {@link StatusRuntimeException}) is not what was expected. */
    Optional<String> mismatch(Object outcome);

    /** A gRPC error with this code, {@code ErrorInfo} reason ("" = none) and {@code BadRequest} field ("" = any). */
    record Refusal(Status.Code code, String reason, String field) implements ExpectedOutcome {
        public Refusal {
            requireNonNull(code, "code is null");
            requireNonNull(reason, "reason is null");
            requireNonNull(field, "field is null");
        }

        @Override
        public Optional<String> mismatch(Object outcome) {
            if (!(outcome instanceof StatusRuntimeException error)) {
                return Optional.of("expected " + code + " " + reason + " but the call succeeded"
                        + (outcome instanceof SubmitRunResponse r ? " (run " + r.getRun().getState() + ")" : ""));
            }
            String got = error.getStatus().getCode() + " " + reasonOf(error);
            if (error.getStatus().getCode() != code || !reasonOf(error).equals(reason)) {
                return Optional.of("expected " + code + " " + reason + ", got " + got);
            }
            if (!field.isEmpty() && !fieldsOf(error).contains(field)) {
                return Optional.of("expected a violation of " + field + ", got " + fieldsOf(error));
            }
            return Optional.empty();
        }
    }

    /** A run the policy denied, naming {@code reason} among its reasons. */
    record Denial(String reason) implements ExpectedOutcome {
        public Denial {
            requireNonNull(reason, "reason is null");
        }

        @Override
        public Optional<String> mismatch(Object outcome) {
            if (outcome instanceof StatusRuntimeException error) {
                return Optional.of("expected a DENIED run (" + reason + "), got " + error.getStatus().getCode() + " "
                        + reasonOf(error));
            }
            Run run = ((SubmitRunResponse) outcome).getRun();
            if (run.getState() != RunState.RUN_STATE_DENIED
                    || run.getDecision().getReasonsList().stream().noneMatch(r -> r.getCode().equals(reason))) {
                return Optional.of("expected a DENIED run naming " + reason + ", got " + run.getState() + " "
                        + run.getDecision().getReasonsList().stream().map(r -> r.getCode()).toList());
            }
            return Optional.empty();
        }
    }

    private static String reasonOf(StatusRuntimeException error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return "";
        }
        return status.getDetailsList().stream().filter(any -> any.is(ErrorInfo.class)).findFirst().map(any -> {
            try {
                return any.unpack(ErrorInfo.class).getReason();
            } catch (InvalidProtocolBufferException e) {
                return "<unreadable ErrorInfo>";
            }
        }).orElse("");
    }

    private static List<String> fieldsOf(StatusRuntimeException error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return List.of();
        }
        List<String> fields = new ArrayList<>();
        status.getDetailsList().stream().filter(any -> any.is(BadRequest.class)).forEach(any -> {
            try {
                any.unpack(BadRequest.class).getFieldViolationsList().forEach(v -> fields.add(v.getField()));
            } catch (InvalidProtocolBufferException e) {
                fields.add("<unreadable BadRequest>");
            }
        });
        return fields;
    }
}
