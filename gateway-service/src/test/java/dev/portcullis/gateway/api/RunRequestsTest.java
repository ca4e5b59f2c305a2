package dev.portcullis.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.gateway.run.RunStore;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.WatchRunRequest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Bounds the gateway's adapter enforces that the domain never sees violated. */
class RunRequestsTest {

    @Test
    void aListWithMoreStateFiltersThanThereAreStatesIsRefused() {
        ListRunsRequest.Builder request = ListRunsRequest.newBuilder();
        for (int i = 0; i < 100_000; i++) {
            request.addStates(RunState.RUN_STATE_QUEUED);
        }

        InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> RunRequests.listing(request.build()));

        assertEquals("states", refused.violations().get(0).field());
    }

    @Test
    void aListNamingEveryStateOnceIsAccepted() {
        ListRunsRequest.Builder request = ListRunsRequest.newBuilder();
        for (RunState state : RunState.values()) {
            if (state != RunState.RUN_STATE_UNSPECIFIED && state != RunState.UNRECOGNIZED) {
                request.addStates(state);
            }
        }

        assertEquals(11, RunRequests.listing(request.build()).query().states().size());
    }

    @Test
    void aListFiltersDriftChecksInOrOutOnlyWhenAsked() {
        assertEquals(RunStore.RunQuery.Drift.ANY, RunRequests.listing(ListRunsRequest.getDefaultInstance()).query().drift());
        assertEquals(RunStore.RunQuery.Drift.ONLY,
                RunRequests.listing(ListRunsRequest.newBuilder().setDrift(true).build()).query().drift());
        assertEquals(RunStore.RunQuery.Drift.EXCLUDED,
                RunRequests.listing(ListRunsRequest.newBuilder().setDrift(false).build()).query().drift());
    }

    @Test
    void aPageSizeAboveTwoToTheThirtyOneIsRefusedNotTakenAsNegative() {
        ListRunsRequest request = ListRunsRequest.newBuilder().setPageSize(-1).build();

        InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> RunRequests.listing(request));

        assertEquals("page_size", refused.violations().get(0).field());
    }

    @Test
    void aWatchOffsetAboveTwoToTheSixtyThreeIsRefused() {
        WatchRunRequest request = WatchRunRequest.newBuilder().setRunId(UUID.randomUUID().toString()).setFromOffset(-1L).build();

        InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> RunRequests.watching(request));

        assertEquals("from_offset", refused.violations().get(0).field());
    }
}
