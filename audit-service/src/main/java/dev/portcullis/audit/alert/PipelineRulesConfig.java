package dev.portcullis.audit.alert;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * The anomaly rules over events from outside sources (source control, CI servers), next to the
 * suite's own rules under the same prefix. Every rule is on by default and can be switched off.
 * Every key is documented in docs/configuration.md.
 *
 * @param protectionWeakenedEnabled whether {@code protection_weakened} runs
 * @param protectedRefForcePushEnabled whether {@code protected_ref_force_push} runs
 * @param catalogRepoPushEnabled whether {@code catalog_repo_push} runs
 * @param ciLoginFailureBurstEnabled whether {@code ci_login_failure_burst} runs
 * @param ciLoginFailureBurstThreshold failed CI sign-ins by one user, or from one address, that make a burst
 * @param ciLoginFailureBurstWindow how close together they must be
 * @param deployKeyAddedEnabled whether {@code deploy_key_added} runs
 * @param unfamiliarPusherApplyEnabled whether {@code unfamiliar_pusher_apply} runs
 * @param sourceSilentEnabled whether {@code source_silent} runs
 */
@ConfigurationProperties("portcullis.audit.alerts.rules")
public record PipelineRulesConfig(
        @Bindable(defaultValue = "true") boolean protectionWeakenedEnabled,
        @Bindable(defaultValue = "true") boolean protectedRefForcePushEnabled,
        @Bindable(defaultValue = "true") boolean catalogRepoPushEnabled,
        @Bindable(defaultValue = "true") boolean ciLoginFailureBurstEnabled,
        @Bindable(defaultValue = "5") @Min(1) @Max(AlertRulesConfig.MAX_THRESHOLD) int ciLoginFailureBurstThreshold,
        @Bindable(defaultValue = "10m") @PositiveDuration(max = "1d") Duration ciLoginFailureBurstWindow,
        @Bindable(defaultValue = "true") boolean deployKeyAddedEnabled,
        @Bindable(defaultValue = "true") boolean unfamiliarPusherApplyEnabled,
        @Bindable(defaultValue = "true") boolean sourceSilentEnabled) {

    /** Every rule on, with the default thresholds. */
    public static PipelineRulesConfig defaults() {
        return new PipelineRulesConfig(true, true, true, true, 5, Duration.ofMinutes(10), true, true, true);
    }
}
