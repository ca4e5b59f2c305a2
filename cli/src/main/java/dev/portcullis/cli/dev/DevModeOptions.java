package dev.portcullis.cli.dev;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.telemetry.TelemetrySource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How {@link DevMode#start} starts the dev suite. Start from {@link #in(Path)} and change what
 * differs from the defaults.
 *
 * @param dataDir where the dev PKI, dev.env, databases and demo repository live
 * @param basePort the gateway's port; policy, executor and audit take the next three. 0 (the
 *     default) gives every service a free port
 * @param clock the clock the dev PKI and the data directory's lock read (default: the system's, UTC)
 * @param overrides service name ("gateway", …) to properties laid over that service's dev
 *     configuration, e.g. a PostgreSQL run store for the gateway (default: none)
 * @param telemetry where the services' telemetry comes from (tests: in-memory exporters); when
 *     empty (the default), from the {@code OTEL_*} environment, which exports nothing unless asked
 * @param demoTool the tool of the demo a first start seeds (real Terraform/OpenTofu); when empty
 *     (the default), the sh-script demo
 */
public record DevModeOptions(Path dataDir, int basePort, Clock clock, Map<String, Map<String, Object>> overrides,
        Optional<TelemetrySource> telemetry, Optional<DemoTool> demoTool) {
    public DevModeOptions {
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(overrides, "overrides is null");
        requireNonNull(telemetry, "telemetry is null");
        requireNonNull(demoTool, "demoTool is null");
        Map<String, Map<String, Object>> copy = new HashMap<>();
        overrides.forEach((service, properties) -> copy.put(service, Map.copyOf(properties)));
        overrides = Map.copyOf(copy);
    }

    /**
     * The defaults, in {@code dataDir}: free ports, the system clock, no overrides, telemetry from
     * the environment, the sh-script demo.
     */
    public static DevModeOptions in(Path dataDir) {
        return new DevModeOptions(dataDir, 0, Clock.systemUTC(), Map.of(), Optional.empty(), Optional.empty());
    }

    public DevModeOptions withBasePort(int basePort) {
        return new DevModeOptions(dataDir, basePort, clock, overrides, telemetry, demoTool);
    }

    public DevModeOptions withClock(Clock clock) {
        return new DevModeOptions(dataDir, basePort, clock, overrides, telemetry, demoTool);
    }

    public DevModeOptions withOverrides(Map<String, Map<String, Object>> overrides) {
        return new DevModeOptions(dataDir, basePort, clock, overrides, telemetry, demoTool);
    }

    public DevModeOptions withDemoTool(Optional<DemoTool> demoTool) {
        return new DevModeOptions(dataDir, basePort, clock, overrides, telemetry, demoTool);
    }

    public DevModeOptions withTelemetry(TelemetrySource telemetry) {
        return new DevModeOptions(dataDir, basePort, clock, overrides, Optional.of(telemetry), demoTool);
    }
}
