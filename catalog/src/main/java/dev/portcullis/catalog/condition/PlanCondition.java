package dev.portcullis.catalog.condition;

import static java.util.Objects.requireNonNull;

import dev.cel.bundle.Cel;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import java.util.Optional;

/**
 * A condition on what a plan would change, written in CEL, e.g.
 * {@code plan.delete + plan.replace > 0} or
 * {@code plan.resources.exists(r, r.type == "aws_db_instance" && "delete" in r.actions)} (or, the same
 * in one step, {@code "aws_db_instance" in plan.types_by_action["delete"]}): the
 * {@code when} of a catalog rule's {@code deny_when} and {@code approvals_when}. The variables are
 * those of {@link PlanInput}; compiled once with the same options, budgets and problem wording as
 * {@link CelCondition}. Immutable and thread-safe; {@link #evaluate} does not block.
 */
public final class PlanCondition {
    private static final String CREATE = "plan.create";
    private static final String UPDATE = "plan.update";
    private static final String DELETE = "plan.delete";
    private static final String REPLACE = "plan.replace";
    private static final String READ = "plan.read";
    private static final String IMPORTS = "plan.imports";
    private static final String MOVES = "plan.moves";
    private static final String DRIFT = "plan.drift";
    private static final String HAS_CHANGES = "plan.has_changes";
    private static final String RESOURCES = "plan.resources";
    private static final String OUTPUTS = "plan.outputs";
    private static final String TYPES_BY_ACTION = "plan.types_by_action";
    private static final String LIST = String.join(", ", CREATE, UPDATE, DELETE, REPLACE, READ, IMPORTS, MOVES, DRIFT,
            HAS_CHANGES, RESOURCES) + " (each with address, type and actions), " + OUTPUTS + " and " + TYPES_BY_ACTION;

    private static final Cel CEL = CompiledExpression.builder()
            .addVar(CREATE, SimpleType.INT)
            .addVar(UPDATE, SimpleType.INT)
            .addVar(DELETE, SimpleType.INT)
            .addVar(REPLACE, SimpleType.INT)
            .addVar(READ, SimpleType.INT)
            .addVar(IMPORTS, SimpleType.INT)
            .addVar(MOVES, SimpleType.INT)
            .addVar(DRIFT, SimpleType.INT)
            .addVar(HAS_CHANGES, SimpleType.BOOL)
            // a resource's keys are checked when the rule runs: a key it does not have fails closed
            .addVar(RESOURCES, ListType.create(MapType.create(SimpleType.STRING, SimpleType.DYN)))
            .addVar(OUTPUTS, ListType.create(SimpleType.STRING))
            .addVar(TYPES_BY_ACTION, MapType.create(SimpleType.STRING, ListType.create(SimpleType.STRING)))
            .build();

    private final CompiledExpression compiled;

    private PlanCondition(CompiledExpression compiled) {
        this.compiled = compiled;
    }

    /**
     * Parses and type-checks {@code expression}; call once per catalog load.
     *
     * @throws IllegalArgumentException as {@link CelCondition#compile}, naming the plan variables
     */
    public static PlanCondition compile(String expression) {
        return new PlanCondition(CompiledExpression.compile(CEL, expression, LIST));
    }

    /**
     * Evaluates the condition against one plan. Never throws for a failure inside the expression:
     * that fails closed, as {@code satisfied == false} with the error text. A condition that reads
     * {@code plan.resources} while the summary leaves resources unlisted fails closed too: a
     * resource it would look for may be among those not listed.
     */
    public CelCondition.Result evaluate(PlanInput plan) {
        requireNonNull(plan, "plan is null");
        if (plan.resourcesNotListed() > 0 && (compiled.reads(RESOURCES) || compiled.reads(TYPES_BY_ACTION))) {
            return new CelCondition.Result(false, Optional.of("the plan summary lists " + plan.resources().size()
                    + " changed resources and leaves " + plan.resourcesNotListed() + " unlisted, so plan.resources and"
                    + " plan.types_by_action are incomplete"));
        }
        if (plan.outputsNotListed() > 0 && compiled.reads(OUTPUTS)) {
            return new CelCondition.Result(false, Optional.of("the plan summary lists " + plan.outputs().size()
                    + " changed outputs and leaves " + plan.outputsNotListed() + " unlisted, so plan.outputs is incomplete"));
        }
        return compiled.evaluate(name -> lookup(plan, name));
    }

    /** The expression as written. */
    public String expression() {
        return compiled.expression();
    }

    @Override
    public String toString() {
        return "PlanCondition[" + expression() + "]";
    }

    /** The compiled expression, for tests that compare its direct and CEL evaluations. */
    CompiledExpression compiled() {
        return compiled;
    }

    static Optional<Object> lookup(PlanInput plan, String name) {
        PlanInput.Counts counts = plan.counts();
        Object value = switch (name) {
            case CREATE -> counts.create();
            case UPDATE -> counts.update();
            case DELETE -> counts.delete();
            case REPLACE -> counts.replace();
            case READ -> counts.read();
            case IMPORTS -> counts.imports();
            case MOVES -> counts.moves();
            case DRIFT -> counts.drift();
            case HAS_CHANGES -> plan.hasChanges();
            case RESOURCES -> plan.resourceValues();
            case OUTPUTS -> plan.outputs();
            case TYPES_BY_ACTION -> plan.typesByAction();
            default -> null;
        };
        return Optional.ofNullable(value);
    }
}
