package dev.portcullis.policy.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.ExampleCatalog;
import dev.portcullis.policy.decision.Decision;
import dev.portcullis.policy.decision.EvaluationRequest;
import dev.portcullis.policy.decision.PolicyEngine;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.v1.EvaluateRequest;
import java.time.Instant;

/**
 * Any EvaluateRequest on the wire is either refused as invalid, listing its bad fields, or
 * decided: no other exception escapes the validator or the engine.
 *
 * <p>Plain {@code mvn verify} replays the inputs under
 * {@code src/test/resources/dev/portcullis/policy/api/EvaluationRequestsFuzzTestInputs/}; fuzz
 * longer as described on {@code CatalogLoaderFuzzTest}.
 */
class EvaluationRequestsFuzzTest {
    private static final Catalog CATALOG = ExampleCatalog.load();

    @FuzzTest(maxDuration = "30s")
    void everyRequestIsRefusedOrDecided(byte[] input) {
        EvaluateRequest request;
        try {
            request = EvaluateRequest.parseFrom(input);
        } catch (InvalidProtocolBufferException e) {
            return; // gRPC refuses it before our code runs
        }

        try {
            EvaluationRequest parsed = EvaluationRequests.parse(request);
            Decision decision = PolicyEngine.decide(CATALOG, parsed, Instant.parse("2026-11-24T09:00:00Z"));

            assertNotNull(decision.outcome());
            assertFalse(decision.reasons().isEmpty());
        } catch (InvalidRequestException refused) {
            assertFalse(refused.violations().isEmpty());
        }
    }
}
