package dev.portcullis.executor.plan;

import java.util.List;
import java.util.Optional;

/**
 * What a resource's {@code actions} array amounts to. Terraform writes a replacement as two
 * actions in the order it will run them; both orders are a replacement.
 */
public enum ChangeKind {
    NO_OP,
    CREATE,
    READ,
    UPDATE,
    DELETE,
    /** {@code ["delete","create"]}, {@code ["create","delete"]} or {@code ["create","forget"]}. */
    REPLACE,
    /** {@code ["forget"]}: removed from state, the real object left alone. */
    FORGET;

    /** The kind of a whole {@code actions} array; empty for a combination Terraform does not write. */
    public static Optional<ChangeKind> of(List<PlanAction> actions) {
        if (actions.size() == 1) {
            return Optional.of(switch (actions.get(0)) {
                case NO_OP -> NO_OP;
                case CREATE -> CREATE;
                case READ -> READ;
                case UPDATE -> UPDATE;
                case DELETE -> DELETE;
                case FORGET -> FORGET;
            });
        }
        if (actions.equals(List.of(PlanAction.DELETE, PlanAction.CREATE))
                || actions.equals(List.of(PlanAction.CREATE, PlanAction.DELETE))
                || actions.equals(List.of(PlanAction.CREATE, PlanAction.FORGET))) {
            return Optional.of(REPLACE);
        }
        return Optional.empty();
    }
}
