package dev.portcullis.runtime.telemetry;

/**
 * Where a service gets its {@link Telemetry}. The launcher's default builds it from the
 * environment ({@link TelemetryEnvironment}); tests supply in-memory exporters instead.
 */
@FunctionalInterface
public interface TelemetrySource {
    /** The telemetry of service {@code service} ("gateway", …); the caller closes it. */
    Telemetry forService(String service, TelemetryConfig config);
}
