package dev.portcullis.audit.api;

import static dev.portcullis.runtime.testing.RequestFuzzing.message;
import static dev.portcullis.runtime.testing.RequestFuzzing.parsedOrRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.ListSourcesRequest;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.WatchAlertsRequest;

/**
 * Every request message of {@code portcullis.v1.AuditService}, as any bytes on the wire make it,
 * goes through the audit service's adapter ({@link AuditRequests}) to domain values or to an
 * INVALID_ARGUMENT refusal listing its bad fields: nothing else escapes.
 *
 * <p>Plain {@code mvn verify} replays the inputs under
 * {@code src/test/resources/dev/portcullis/audit/api/AuditRequestsFuzzTestInputs/<method>/}. To
 * fuzz one target:
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=30s mvn -B -pl audit-service -am test -Djazzer.hooks=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='AuditRequestsFuzzTest#append'
 * }</pre>
 */
class AuditRequestsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void append(byte[] input) {
        message(AppendRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> AuditRequests.batch(request, "gateway"))
                .ifPresent(events -> {
                    assertEquals(request.getEventsCount(), events.size());
                    assertTrue(events.stream().allMatch(e -> e.service().equals("gateway")));
                }));
    }

    @FuzzTest(maxDuration = "30s")
    void query(byte[] input) {
        message(QueryRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> AuditRequests.querying(request))
                .ifPresent(querying -> assertTrue(querying.limit() >= 1 && querying.limit() <= AuditRequests.MAX_LIMIT
                        && querying.after() >= 0)));
    }

    @FuzzTest(maxDuration = "30s")
    void verify(byte[] input) {
        message(VerifyRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> AuditRequests.verifying(request))
                .ifPresent(range -> assertTrue(range.fromSequence() >= 0 && range.toSequence() >= 0)));
    }

    @FuzzTest(maxDuration = "30s")
    void proving(byte[] input) {
        message(dev.portcullis.v1.GetInclusionProofRequest.parser(), input).ifPresent(request ->
                parsedOrRefused(() -> AuditRequests.proving(request)).ifPresent(proving -> assertTrue(proving.treeSize() >= 0
                        && (proving.sequence() >= 1) != (proving.eventIdIfAny().size() == 1))));
    }

    @FuzzTest(maxDuration = "30s")
    void consisting(byte[] input) {
        message(dev.portcullis.v1.GetConsistencyProofRequest.parser(), input).ifPresent(request ->
                parsedOrRefused(() -> AuditRequests.consisting(request)).ifPresent(sizes -> assertTrue(sizes.fromSize() >= 0
                        && sizes.toSize() >= 0 && (sizes.toSize() == 0 || sizes.fromSize() <= sizes.toSize()))));
    }

    @FuzzTest(maxDuration = "30s")
    void listAlerts(byte[] input) {
        message(ListAlertsRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> AuditRequests.alertPage(request))
                .ifPresent(page -> assertTrue(page.pageSize() >= 1 && page.pageSize() <= AuditRequests.MAX_ALERT_PAGE)));
    }

    @FuzzTest(maxDuration = "30s")
    void watchAlerts(byte[] input) {
        message(WatchAlertsRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> AuditRequests.watchAfter(request))
                .ifPresent(after -> assertTrue(after.isEmpty() || after.getAsLong() >= 0)));
    }

    /**
     * ListSources has no fields and its handler never reads the request: whatever unknown fields
     * the bytes carry, the message parses to one with nothing set, so there is nothing to adapt.
     */
    @FuzzTest(maxDuration = "30s")
    void listSources(byte[] input) {
        message(ListSourcesRequest.parser(), input).ifPresent(request ->
                assertEquals(ListSourcesRequest.getDefaultInstance(), request.toBuilder().setUnknownFields(
                        com.google.protobuf.UnknownFieldSet.getDefaultInstance()).build()));
    }
}
