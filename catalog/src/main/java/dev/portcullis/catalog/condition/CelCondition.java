package dev.portcullis.catalog.condition;

import static java.util.Objects.requireNonNull;

import dev.cel.bundle.Cel;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import java.util.Optional;

/**
 * An extra condition on a catalog rule, written in the Common Expression Language (CEL), e.g.
 * {@code request.ref.startsWith("refs/heads/") && now.getHours("Europe/Berlin") >= 8}.
 *
 * <p>The expression is parsed and type-checked once, by {@link #compile}, against these
 * variables: {@code request.caller}, {@code request.repo}, {@code request.commit_sha},
 * {@code request.ref}, {@code request.folder}, {@code request.environment},
 * {@code request.command} (strings), {@code request.break_glass} (bool), {@code request.claims}
 * (map of string to string: the verified claims of the caller's OIDC identity token, empty for
 * a caller with a client certificate) and {@code now} (timestamp). A claim the map lacks is an
 * evaluation error, so {@code request.claims.environment == "prod"} fails closed for a caller
 * without that claim; {@code has(request.claims.environment)} and
 * {@code "environment" in request.claims} test for it. The standard CEL functions and macros are available ({@code startsWith},
 * {@code matches} with RE2 syntax, {@code getHours(zone)}, {@code exists}, …). Anything else,
 * and any expression whose type is not {@code bool}, is refused at compile time, so a bad
 * catalog is rejected on load rather than at decision time.
 *
 * <p>Instances are immutable and thread-safe; {@link #evaluate} does not block.
 */
public final class CelCondition {
    private static final Cel CEL = CompiledExpression.builder()
            .addVar(Variables.CALLER, SimpleType.STRING)
            .addVar(Variables.REPO, SimpleType.STRING)
            .addVar(Variables.COMMIT_SHA, SimpleType.STRING)
            .addVar(Variables.REF, SimpleType.STRING)
            .addVar(Variables.FOLDER, SimpleType.STRING)
            .addVar(Variables.ENVIRONMENT, SimpleType.STRING)
            .addVar(Variables.COMMAND, SimpleType.STRING)
            .addVar(Variables.BREAK_GLASS, SimpleType.BOOL)
            .addVar(Variables.CLAIMS, MapType.create(SimpleType.STRING, SimpleType.STRING))
            .addVar(Variables.NOW, SimpleType.TIMESTAMP)
            .build();

    private final CompiledExpression compiled;

    private CelCondition(CompiledExpression compiled) {
        this.compiled = compiled;
    }

    /**
     * Parses and type-checks {@code expression}; call once per catalog load, not per decision.
     *
     * @throws IllegalArgumentException for a syntax error, an unknown variable or function, a type
     *     error, a result type other than {@code bool}, or an expression longer than 4096
     *     characters; the message names every problem found with its line and column (1-based)
     */
    public static CelCondition compile(String expression) {
        return new CelCondition(CompiledExpression.compile(CEL, expression, Variables.LIST));
    }

    /**
     * Evaluates the condition for one request. Thread-safe and never throws for a failure inside
     * the expression (a missing map key, a bad conversion, an unknown time zone, …): that fails
     * closed, as {@code satisfied == false} with the error text.
     */
    public Result evaluate(ConditionInput input) {
        requireNonNull(input, "input is null");
        return compiled.evaluate(name -> Variables.lookup(input, name));
    }

    /** The expression as written. */
    public String expression() {
        return compiled.expression();
    }

    @Override
    public String toString() {
        return "CelCondition[" + expression() + "]";
    }

    /** The compiled expression, for tests that compare its direct and CEL evaluations. */
    CompiledExpression compiled() {
        return compiled;
    }

    /** The value of the declared variable {@code name} for {@code input}; empty when undeclared. */
    static Optional<Object> lookup(ConditionInput input, String name) {
        return Variables.lookup(input, name);
    }

    /**
     * The outcome of one evaluation.
     *
     * @param satisfied whether the condition holds; always {@code false} when {@code error} is present
     * @param error why evaluation failed, safe to show to the caller
     */
    public record Result(boolean satisfied, Optional<String> error) {
        public Result {
            requireNonNull(error, "error is null");
            if (satisfied && error.isPresent()) {
                throw new IllegalArgumentException("a failed evaluation cannot be satisfied");
            }
        }
    }

    /** The names declared to CEL and how each is read from a {@link ConditionInput}. */
    private static final class Variables {
        static final String CALLER = "request.caller";
        static final String REPO = "request.repo";
        static final String COMMIT_SHA = "request.commit_sha";
        static final String REF = "request.ref";
        static final String FOLDER = "request.folder";
        static final String ENVIRONMENT = "request.environment";
        static final String COMMAND = "request.command";
        static final String BREAK_GLASS = "request.break_glass";
        static final String CLAIMS = "request.claims";
        static final String NOW = "now";
        static final String LIST = String.join(", ", CALLER, REPO, COMMIT_SHA, REF, FOLDER, ENVIRONMENT, COMMAND, BREAK_GLASS,
                CLAIMS) + " and " + NOW;

        private Variables() {}

        static Optional<Object> lookup(ConditionInput input, String name) {
            Object value = switch (name) {
                case CALLER -> input.caller();
                case REPO -> input.repo();
                case COMMIT_SHA -> input.commitSha();
                case REF -> input.ref();
                case FOLDER -> input.folder();
                case ENVIRONMENT -> input.environment();
                case COMMAND -> input.command();
                case BREAK_GLASS -> input.breakGlass();
                case CLAIMS -> input.claims();
                case NOW -> input.now();
                default -> null;
            };
            return Optional.ofNullable(value);
        }
    }
}
