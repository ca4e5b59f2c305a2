package dev.portcullis.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What grpc-baseline's bearer figure measures is a call the gateway's verifier accepted: the
 * channel carries no client certificate, so only the verified token can have authenticated it.
 */
class LoopbackBearerTest {
    @Test
    void aCallWithTheDevTokenAndNoCertificateIsServed() throws Exception {
        try (LoopbackBearer bearer = new LoopbackBearer()) {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(bearer.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());

            assertEquals(HealthCheckResponse.ServingStatus.SERVING, response.getStatus());
        }
    }
}
