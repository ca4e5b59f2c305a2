package dev.portcullis.runtime.health;

/**
 * Port: where a service's readiness is published; the gRPC server's {@code grpc.health.v1}
 * status in production. Thread-safe.
 */
public interface ServingSwitch {

    /** SERVING when {@code serving}, NOT_SERVING otherwise. Idempotent. */
    void setServing(boolean serving);
}
