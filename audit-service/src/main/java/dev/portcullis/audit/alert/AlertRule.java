package dev.portcullis.audit.alert;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The anomaly rules, with the names alerts carry in storage, the contract and chat. */
public enum AlertRule {
    /** Repeated failed authentications by one identity or from one address. */
    AUTH_FAILURE_BURST("auth_failure_burst"),
    /** Repeated policy denials for one identity. */
    DENIAL_BURST("denial_burst"),
    /** A run submitted by an identity never seen submitting before. */
    NEW_CALLER("new_caller"),
    /** A run or task that changes infrastructure started while its change window was closed. */
    CHANGE_WINDOW_VIOLATION("change_window_violation"),
    /** A secret was found (and masked) in a task's output. */
    SECRET_LEAK("secret_leak"),
    /** An admin used break-glass access. */
    BREAKGLASS("breakglass"),
    /** Branch protection or a ruleset of a repository Portcullis deploys was weakened or removed. */
    PROTECTION_WEAKENED("protection_weakened"),
    /** A force-push to a protected ref of a repository Portcullis deploys. */
    PROTECTED_REF_FORCE_PUSH("protected_ref_force_push"),
    /** A push to the repository that holds the Service Catalog. */
    CATALOG_REPO_PUSH("catalog_repo_push"),
    /** Repeated failed sign-ins to a CI server or forge, by one user or from one address. */
    CI_LOGIN_FAILURE_BURST("ci_login_failure_burst"),
    /** A deploy key was added to a repository. */
    DEPLOY_KEY_ADDED("deploy_key_added"),
    /** An apply run of a commit pushed by an identity that had never pushed to that repository before. */
    UNFAMILIAR_PUSHER_APPLY("unfamiliar_pusher_apply"),
    /** An outside source delivered nothing for longer than its configured max silence. */
    SOURCE_SILENT("source_silent"),
    /** A drift check found production differing from its code (HIGH when anything would be deleted or replaced). */
    DRIFT_DETECTED("drift_detected"),
    /** A target's drift checks failed several times in a row. */
    DRIFT_CHECK_FAILING("drift_check_failing"),
    /** A checkpoint witness holds a checkpoint the log cannot prove it extends: the log was rewritten or cut. */
    LOG_INCONSISTENT("log_inconsistent"),
    /** Publishing checkpoints to a witness failed several times in a row. */
    WITNESS_FAILING("witness_failing");

    private static final Map<String, AlertRule> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(AlertRule::ruleName, Function.identity()));

    private final String ruleName;

    AlertRule(String ruleName) {
        this.ruleName = ruleName;
    }

    /** The name alerts carry, e.g. {@code auth_failure_burst}. */
    public String ruleName() {
        return ruleName;
    }

    /** The rule named {@code ruleName}, if there is one. */
    public static Optional<AlertRule> byRuleName(String ruleName) {
        return Optional.ofNullable(BY_NAME.get(ruleName));
    }
}
