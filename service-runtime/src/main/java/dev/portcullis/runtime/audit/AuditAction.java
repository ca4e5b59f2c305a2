package dev.portcullis.runtime.audit;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What happened: the closed vocabulary of audit actions, with their dotted names as they appear
 * in exports, logs and the CLI. Mirrors {@code portcullis.v1.AuditAction}; adding an action
 * means adding it to both.
 */
public enum AuditAction {
    AUTH_FAILED("auth.failed"),
    REQUEST_INVALID("request.invalid"),
    RUN_SUBMITTED("run.submitted"),
    POLICY_ALLOWED("policy.allowed"),
    POLICY_DENIED("policy.denied"),
    RUN_AWAITING_APPROVAL("run.awaiting_approval"),
    RUN_APPROVED("run.approved"),
    RUN_REJECTED("run.rejected"),
    RUN_EXPIRED("run.expired"),
    RUN_QUEUED("run.queued"),
    RUN_STARTED("run.started"),
    RUN_FINISHED("run.finished"),
    RUN_CANCELLED("run.cancelled"),
    TASK_STARTED("task.started"),
    TASK_FINISHED("task.finished"),
    TASK_CANCELLED("task.cancelled"),
    SECRET_ISSUED("secret.issued"),
    SECRET_LEAK_DETECTED("secret.leak_detected"),
    CATALOG_LOADED("catalog.loaded"),
    CATALOG_REJECTED("catalog.rejected"),
    BREAKGLASS_USED("breakglass.used"),
    AUDIT_CHECKPOINT("audit.checkpoint"),
    // what the gateway's drift checks found (issue 20)
    DRIFT_DETECTED("drift.detected"),
    DRIFT_CLEARED("drift.cleared"),
    DRIFT_CHECK_FAILED("drift.check_failed"),
    DRIFT_CHECK_REQUESTED("drift.check_requested"),
    // what outside sources (source control, CI servers, artefact repositories) report
    SCM_PUSH("scm.push"),
    SCM_PROTECTION_CHANGED("scm.protection_changed"),
    SCM_PERMISSION_CHANGED("scm.permission_changed"),
    SCM_DEPLOY_KEY_ADDED("scm.deploy_key_added"),
    SCM_DEPLOY_KEY_REMOVED("scm.deploy_key_removed"),
    CI_WORKFLOW_RUN("ci.workflow_run"),
    CI_LOGIN_FAILED("ci.login_failed"),
    ARTIFACT_PUBLISHED("artifact.published"),
    SOURCE_EVENT("source.event"),
    // written by the audit service about its outside sources
    SOURCE_DELIVERY_REFUSED("source.delivery_refused"),
    SOURCE_SILENT("source.silent");

    private static final Map<String, AuditAction> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(AuditAction::dottedName, Function.identity()));

    private final String dottedName;

    AuditAction(String dottedName) {
        this.dottedName = dottedName;
    }

    /** The action's name in exports and the CLI, e.g. {@code run.submitted}. */
    public String dottedName() {
        return dottedName;
    }

    /**
     * True for the actions an outside source may report about itself: never one of the suite's
     * own (a webhook must not be able to forge a {@code run.approved}), nor what the audit service
     * writes about its sources.
     */
    public boolean reportableBySource() {
        return switch (this) {
            case SCM_PUSH, SCM_PROTECTION_CHANGED, SCM_PERMISSION_CHANGED, SCM_DEPLOY_KEY_ADDED, SCM_DEPLOY_KEY_REMOVED,
                    CI_WORKFLOW_RUN, CI_LOGIN_FAILED, ARTIFACT_PUBLISHED, SOURCE_EVENT -> true;
            default -> false;
        };
    }

    /** The action named {@code dottedName}, if there is one. */
    public static Optional<AuditAction> byDottedName(String dottedName) {
        return Optional.ofNullable(BY_NAME.get(dottedName));
    }
}
