package dev.portcullis.audit.alert;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * The alert rules over the gateway's drift checks, next to the suite's other rules under the same
 * prefix. Both are on by default and can be switched off. Every key is documented in
 * docs/configuration.md.
 *
 * @param driftDetectedEnabled whether {@code drift_detected} runs
 * @param driftCheckFailingEnabled whether {@code drift_check_failing} runs
 * @param driftCheckFailingThreshold failed checks of one target in a row that raise {@code drift_check_failing}
 */
@ConfigurationProperties("portcullis.audit.alerts.rules")
public record DriftRulesConfig(
        @Bindable(defaultValue = "true") boolean driftDetectedEnabled,
        @Bindable(defaultValue = "true") boolean driftCheckFailingEnabled,
        @Bindable(defaultValue = "3") @Min(1) @Max(MAX_FAILURES) int driftCheckFailingThreshold) {

    /** Most failures in a row the rule may wait for: with checks at least 5 minutes apart, over 8 hours of silence. */
    public static final int MAX_FAILURES = 100;

    /** Both rules on, alerting after 3 failed checks in a row. */
    public static DriftRulesConfig defaults() {
        return new DriftRulesConfig(true, true, 3);
    }
}
