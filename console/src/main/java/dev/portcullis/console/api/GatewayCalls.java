package dev.portcullis.console.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.signin.IdToken;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.ListDriftTargetsRequest;
import dev.portcullis.v1.ListDriftTargetsResponse;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.ListRunsResponse;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The console's calls to the gateway, each made for one signed-in user (their ID token as the
 * bearer token) over the console's mTLS channel, each with a deadline. Thread-safe.
 */
public final class GatewayCalls {
    private final GatewayServiceGrpc.GatewayServiceBlockingStub stub;
    private final Duration timeout;

    public GatewayCalls(ManagedChannel channel, Duration timeout) {
        this.stub = GatewayServiceGrpc.newBlockingStub(requireNonNull(channel, "channel is null"));
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    private GatewayServiceGrpc.GatewayServiceBlockingStub as(IdToken token) {
        return stub.withCallCredentials(Calls.bearer(token)).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One page of runs. @throws CallRefusedException when the gateway refuses */
    public ListRunsResponse list(IdToken token, ListRunsRequest request) {
        try {
            return as(token).listRuns(request);
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }

    /** Every drift target with what its last check found. @throws CallRefusedException when refused */
    public ListDriftTargetsResponse driftTargets(IdToken token) {
        try {
            return as(token).listDriftTargets(ListDriftTargetsRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }

    /** Run {@code runId}. @throws CallRefusedException when the gateway refuses (NOT_FOUND included) */
    public Run get(IdToken token, String runId) {
        try {
            return as(token).getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }

    /** Approves {@code runId} naming {@code planDigest} (empty for a run that applies no plan). @throws CallRefusedException when refused */
    public Run approve(IdToken token, String runId, String planDigest, String comment) {
        try {
            return as(token).approveRun(ApproveRunRequest.newBuilder().setRunId(runId).setPlanDigest(planDigest)
                    .setComment(comment).build()).getRun();
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }

    /** Rejects {@code runId}. @throws CallRefusedException when refused */
    public Run reject(IdToken token, String runId, String reason) {
        try {
            return as(token).rejectRun(RejectRunRequest.newBuilder().setRunId(runId).setReason(reason).build()).getRun();
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }

    /**
     * Streams run {@code runId}'s events from {@code fromOffset} to {@code each} until the run ends,
     * {@code each} answers false (the browser went away), or {@code maxDuration} passes. Blocks.
     *
     * @throws CallRefusedException when the gateway refuses or the stream fails
     */
    public void watch(IdToken token, String runId, long fromOffset, Duration maxDuration, Predicate<WatchRunResponse> each) {
        try (Context.CancellableContext call = Context.current().withCancellation()) {
            call.run(() -> {
                try {
                    Iterator<WatchRunResponse> events = stub.withCallCredentials(Calls.bearer(token))
                            .withDeadlineAfter(maxDuration.toMillis(), TimeUnit.MILLISECONDS)
                            .watchRun(WatchRunRequest.newBuilder().setRunId(runId).setFromOffset(fromOffset).build());
                    while (events.hasNext()) {
                        if (!each.test(events.next())) {
                            return; // closing the context cancels the stream
                        }
                    }
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != io.grpc.Status.Code.DEADLINE_EXCEEDED) {
                        throw Calls.refusal(e);
                    }
                    // the browser's EventSource reconnects with Last-Event-ID and resumes
                }
            });
        }
    }
}
