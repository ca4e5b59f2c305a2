package dev.portcullis.gateway.api;

import static dev.portcullis.runtime.testing.RequestFuzzing.message;
import static dev.portcullis.runtime.testing.RequestFuzzing.parsedOrRefused;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.CancelRunRequest;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.WatchRunRequest;

/**
 * Every request message of {@code portcullis.v1.GatewayService}, as any bytes on the wire make
 * it, goes through the gateway's adapter ({@link RunRequests}) to domain values or to an
 * INVALID_ARGUMENT refusal listing its bad fields: nothing else escapes.
 *
 * <p>Plain {@code mvn verify} replays the inputs under
 * {@code src/test/resources/dev/portcullis/gateway/api/RunRequestsFuzzTestInputs/<method>/}. To
 * fuzz one target (findings are written into that directory):
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=30s mvn -B -pl gateway-service -am test -Djazzer.hooks=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='RunRequestsFuzzTest#submitRun'
 * }</pre>
 */
class RunRequestsFuzzTest {
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

    @FuzzTest(maxDuration = "30s")
    void submitRun(byte[] input) {
        message(SubmitRunRequest.parser(), input).ifPresent(request -> parsedOrRefused(
                () -> RunRequests.submission(request, TRACE, "")).ifPresent(submission ->
                        assertTrue(request.getRequestKey().equals(submission.requestKey()))));
    }

    @FuzzTest(maxDuration = "30s")
    void getRun(byte[] input) {
        message(GetRunRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> RunRequests.runId(request.getRunId())));
    }

    @FuzzTest(maxDuration = "30s")
    void listRuns(byte[] input) {
        message(ListRunsRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> RunRequests.listing(request))
                .ifPresent(listing -> assertTrue(listing.pageSize() >= 1 && listing.pageSize() <= RunRequests.PAGE_MAX
                        && listing.query().beforeSequence() >= 1)));
    }

    @FuzzTest(maxDuration = "30s")
    void watchRun(byte[] input) {
        message(WatchRunRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> RunRequests.watching(request))
                .ifPresent(watching -> assertTrue(watching.fromOffset() >= 0)));
    }

    @FuzzTest(maxDuration = "30s")
    void approveRun(byte[] input) {
        message(ApproveRunRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> RunRequests.approving(request))
                .ifPresent(approving -> assertTrue(approving.comment().length() <= 1024)));
    }

    @FuzzTest(maxDuration = "30s")
    void rejectRun(byte[] input) {
        message(RejectRunRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> RunRequests.rejecting(request))
                .ifPresent(rejecting -> assertTrue(!rejecting.reason().isEmpty() && rejecting.reason().length() <= 1024)));
    }

    @FuzzTest(maxDuration = "30s")
    void cancelRun(byte[] input) {
        message(CancelRunRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> RunRequests.cancelling(request))
                .ifPresent(cancelling -> assertTrue(cancelling.reason().length() <= 1024)));
    }
}
