package dev.portcullis.executor.plan;

import java.util.List;
import java.util.Optional;

/**
 * One resource instance a plan would act on, as an approver needs to see it: where it is, what it
 * is and what will happen to it, never its attribute values.
 *
 * @param address the instance address, e.g. {@code module.db.aws_db_instance.main["eu"]}
 * @param type the resource type, e.g. {@code aws_db_instance}
 * @param actions Terraform's {@code actions}, in Terraform's order
 * @param actionReason Terraform's {@code action_reason} token, e.g. {@code replace_because_tainted};
 *     empty when Terraform gave none
 * @param importing whether the plan imports an existing object to this address
 * @param previousAddress the address the object moves from ({@code previous_address}); empty when
 *     it does not move
 */
public record ResourceChange(String address, String type, List<PlanAction> actions, String actionReason,
        boolean importing, String previousAddress) {

    public ResourceChange {
        PlanText.address(address, "address");
        PlanText.type(type);
        actions = List.copyOf(actions);
        if (ChangeKind.of(actions).isEmpty()) {
            throw new IllegalArgumentException("actions are not a combination Terraform writes");
        }
        PlanText.reason(actionReason);
        if (!previousAddress.isEmpty()) {
            PlanText.address(previousAddress, "previous address");
        }
    }

    /** What the actions amount to. */
    public ChangeKind kind() {
        return ChangeKind.of(actions).orElseThrow();
    }

    /** Terraform's reason for the action, when it gave one. */
    public Optional<String> reason() {
        return actionReason.isEmpty() ? Optional.empty() : Optional.of(actionReason);
    }

    /** The address the object moves from, when it moves. */
    public Optional<String> movedFrom() {
        return previousAddress.isEmpty() ? Optional.empty() : Optional.of(previousAddress);
    }

    boolean moved() {
        return !previousAddress.isEmpty();
    }

    /** Whether an approver must see this resource: it is acted on, imported or moved. */
    public boolean isChange() {
        return kind() != ChangeKind.NO_OP || importing || moved();
    }
}
