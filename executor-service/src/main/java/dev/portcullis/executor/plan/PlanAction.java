package dev.portcullis.executor.plan;

import java.util.Optional;

/** One word of a Terraform plan's {@code actions} array, as {@code terraform show -json} spells it. */
public enum PlanAction {
    NO_OP("no-op"),
    CREATE("create"),
    READ("read"),
    UPDATE("update"),
    DELETE("delete"),
    FORGET("forget");

    private final String json;

    PlanAction(String json) {
        this.json = json;
    }

    /** The word in Terraform's JSON, e.g. {@code no-op}. */
    public String json() {
        return json;
    }

    /** The action Terraform spells {@code word}; empty for a word this reader does not know. */
    public static Optional<PlanAction> fromJson(String word) {
        for (PlanAction action : values()) {
            if (action.json.equals(word)) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }
}
