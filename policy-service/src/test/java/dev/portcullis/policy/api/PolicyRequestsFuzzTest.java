package dev.portcullis.policy.api;

import static dev.portcullis.runtime.testing.RequestFuzzing.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.ExampleCatalog;
import dev.portcullis.policy.catalog.ActiveCatalog;
import dev.portcullis.policy.decision.PolicyEngine;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.v1.GetCatalogRequest;
import dev.portcullis.v1.GetCatalogResponse;
import dev.portcullis.v1.ValidateCatalogRequest;
import dev.portcullis.v1.ValidateCatalogResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy service's other two requests (EvaluateRequest has {@link EvaluationRequestsFuzzTest})
 * through the real {@link PolicyGrpcService} handlers: a reply, or a refusal that is never
 * INTERNAL. GetCatalogRequest has no fields; the handler must ignore whatever unknown fields
 * come with it.
 *
 * <p>Plain {@code mvn verify} replays the inputs under
 * {@code src/test/resources/dev/portcullis/policy/api/PolicyRequestsFuzzTestInputs/<method>/}; fuzz
 * longer as described on {@code CatalogLoaderFuzzTest}.
 */
class PolicyRequestsFuzzTest {
    private static final ActiveCatalog CATALOGS = new ActiveCatalog(new CatalogLoader(), ExampleCatalog.FILE,
            Clock.systemUTC(), new RecordingAuditRecorder());
    private static final PolicyGrpcService SERVICE = new PolicyGrpcService(new PolicyEngine(CATALOGS, Clock.systemUTC()),
            CATALOGS, new CatalogLoader());

    @FuzzTest(maxDuration = "30s")
    void validateCatalog(byte[] input) {
        message(ValidateCatalogRequest.parser(), input).ifPresent(request -> {
            Recorded<ValidateCatalogResponse> reply = new Recorded<>();

            SERVICE.validateCatalog(request, reply);

            reply.assertAnsweredWithout(Status.Code.INTERNAL);
            reply.values.forEach(r -> assertTrue(r.getValid() == (r.getProblemsCount() == 0)));
        });
    }

    @FuzzTest(maxDuration = "30s")
    void getCatalog(byte[] input) {
        message(GetCatalogRequest.parser(), input).ifPresent(request -> {
            Recorded<GetCatalogResponse> reply = new Recorded<>();

            SERVICE.getCatalog(request, reply);

            reply.assertAnsweredWithout(Status.Code.INTERNAL);
            assertEquals(CATALOGS.current().catalog().version().value(), reply.values.get(0).getVersion());
        });
    }

    /** What a handler answered. */
    private static final class Recorded<T> implements StreamObserver<T> {
        final List<T> values = new ArrayList<>();
        Throwable error;
        boolean completed;

        @Override
        public void onNext(T value) {
            values.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
            completed = true;
        }

        void assertAnsweredWithout(Status.Code forbidden) {
            if (error != null) {
                assertNotEquals(forbidden, Status.fromThrowable(error).getCode(), error::toString);
                assertFalse(completed);
            } else {
                assertTrue(completed);
                assertEquals(1, values.size());
            }
        }
    }
}
