package dev.portcullis.audit.alert;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * Which anomaly rules run, and their thresholds. Every rule is on by default and can be switched
 * off. Every key is documented in docs/configuration.md.
 *
 * @param authFailureBurstEnabled whether {@code auth_failure_burst} runs
 * @param authFailureBurstThreshold failed authentications by one identity, or from one address,
 *     that make a burst
 * @param authFailureBurstWindow how close together they must be
 * @param denialBurstEnabled whether {@code denial_burst} runs
 * @param denialBurstThreshold policy denials for one identity that make a burst
 * @param denialBurstWindow how close together they must be
 * @param newCallerEnabled whether {@code new_caller} runs
 * @param changeWindowViolationEnabled whether {@code change_window_violation} runs
 * @param secretLeakEnabled whether {@code secret_leak} runs
 * @param breakglassEnabled whether {@code breakglass} runs
 */
@ConfigurationProperties("portcullis.audit.alerts.rules")
public record AlertRulesConfig(
        @Bindable(defaultValue = "true") boolean authFailureBurstEnabled,
        @Bindable(defaultValue = "5") @Min(1) @Max(MAX_THRESHOLD) int authFailureBurstThreshold,
        @Bindable(defaultValue = "5m") @PositiveDuration(max = "1d") Duration authFailureBurstWindow,
        @Bindable(defaultValue = "true") boolean denialBurstEnabled,
        @Bindable(defaultValue = "10") @Min(1) @Max(MAX_THRESHOLD) int denialBurstThreshold,
        @Bindable(defaultValue = "10m") @PositiveDuration(max = "1d") Duration denialBurstWindow,
        @Bindable(defaultValue = "true") boolean newCallerEnabled,
        @Bindable(defaultValue = "true") boolean changeWindowViolationEnabled,
        @Bindable(defaultValue = "true") boolean secretLeakEnabled,
        @Bindable(defaultValue = "true") boolean breakglassEnabled) {

    /** Largest burst threshold: the detector keeps that many event times per identity or address. */
    public static final int MAX_THRESHOLD = 1000;
    /** Longest burst window. */
    public static final Duration MAX_WINDOW = Duration.ofDays(1);
}
