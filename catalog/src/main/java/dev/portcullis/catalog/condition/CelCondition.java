package dev.portcullis.catalog.condition;

import static java.util.Objects.requireNonNull;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An extra condition on a catalog rule, written in the Common Expression Language (CEL), e.g.
 * {@code request.ref.startsWith("refs/heads/") && now.getHours("Europe/Berlin") >= 8}.
 *
 * <p>The expression is parsed and type-checked once, by {@link #compile}, against these
 * variables: {@code request.caller}, {@code request.repo}, {@code request.commit_sha},
 * {@code request.ref}, {@code request.folder}, {@code request.environment},
 * {@code request.command} (strings), {@code request.break_glass} (bool) and {@code now}
 * (timestamp). The standard CEL functions and macros are available ({@code startsWith},
 * {@code matches} with RE2 syntax, {@code getHours(zone)}, {@code exists}, …). Anything else,
 * and any expression whose type is not {@code bool}, is refused at compile time, so a bad
 * catalog is rejected on load rather than at decision time.
 *
 * <p>Instances are immutable and thread-safe; {@link #evaluate} does not block.
 */
public final class CelCondition {
    /** Long enough for any sensible rule; bounds the work a catalog entry can ask for. */
    private static final int MAX_EXPRESSION_LENGTH = 4_096;
    /** Comprehensions only ever run over literals written in the expression itself. */
    private static final int MAX_COMPREHENSION_ITERATIONS = 1_000;

    private static final Cel CEL = CelFactory.standardCelBuilder()
            // CelOptions.current() evaluates timestamps as java.time.Instant (the option that chose
            // protobuf Timestamp instead is deprecated), so nothing here touches protobuf types
            .setOptions(CelOptions.current()
                    .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
                    .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
                    .build())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar(Variables.CALLER, SimpleType.STRING)
            .addVar(Variables.REPO, SimpleType.STRING)
            .addVar(Variables.COMMIT_SHA, SimpleType.STRING)
            .addVar(Variables.REF, SimpleType.STRING)
            .addVar(Variables.FOLDER, SimpleType.STRING)
            .addVar(Variables.ENVIRONMENT, SimpleType.STRING)
            .addVar(Variables.COMMAND, SimpleType.STRING)
            .addVar(Variables.BREAK_GLASS, SimpleType.BOOL)
            .addVar(Variables.NOW, SimpleType.TIMESTAMP)
            .setResultType(SimpleType.BOOL)
            .build();

    private final String expression;
    private final CelRuntime.Program program;

    private CelCondition(String expression, CelRuntime.Program program) {
        this.expression = expression;
        this.program = program;
    }

    /**
     * Parses and type-checks {@code expression}; call once per catalog load, not per decision.
     *
     * @throws IllegalArgumentException for a syntax error, an unknown variable or function, a type
     *     error, a result type other than {@code bool}, or an expression longer than 4096
     *     characters; the message names every problem found with its line and column (1-based)
     */
    public static CelCondition compile(String expression) {
        requireNonNull(expression, "expression is null");
        if (expression.length() > MAX_EXPRESSION_LENGTH) {
            throw new IllegalArgumentException("condition is longer than " + MAX_EXPRESSION_LENGTH + " characters");
        }
        CelValidationResult compiled = CEL.compile(expression);
        if (compiled.hasError()) {
            throw new IllegalArgumentException("condition does not compile: " + describe(compiled));
        }
        try {
            CelAbstractSyntaxTree ast = compiled.getAst();
            return new CelCondition(expression, CEL.createProgram(ast));
        } catch (CelValidationException | CelEvaluationException unexpected) {
            // hasError() was false, so neither can happen; keep the cause for whoever reads the log
            throw new IllegalArgumentException("condition does not compile: " + unexpected.getMessage(), unexpected);
        }
    }

    /**
     * Evaluates the condition for one request. Thread-safe and never throws for a failure inside
     * the expression (a missing map key, a bad conversion, an unknown time zone, …): that fails
     * closed, as {@code satisfied == false} with the error text.
     */
    public Result evaluate(ConditionInput input) {
        requireNonNull(input, "input is null");
        Object value;
        try {
            value = program.eval(name -> Variables.lookup(input, name));
        } catch (CelEvaluationException failure) {
            // CEL's text alone can be as terse as the missing key ("prod"); the code says what went wrong
            return new Result(false, Optional.of(failure.getErrorCode() + ": " + failure.getMessage()));
        }
        if (value instanceof Boolean satisfied) {
            return new Result(satisfied, Optional.empty());
        }
        // the checker guarantees bool; anything else is a CEL defect and must not admit a run
        return new Result(false, Optional.of("condition produced a non-bool value"));
    }

    /** The expression as written. */
    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return "CelCondition[" + expression + "]";
    }

    private static String describe(CelValidationResult compiled) {
        String problems = compiled.getErrors().stream().map(CelCondition::describe).collect(Collectors.joining("; "));
        // CEL names only the first unknown segment ("request" for "request.nope"), which misleads
        return problems.contains("undeclared reference") ? problems + "; the variables are " + Variables.LIST : problems;
    }

    private static String describe(CelIssue issue) {
        CelSourceLocation at = issue.getSourceLocation();
        if (at.equals(CelSourceLocation.NONE)) {
            return issue.getMessage();
        }
        // CEL counts columns from 0; people count from 1
        return "line " + at.getLine() + ", column " + (at.getColumn() + 1) + ": " + issue.getMessage();
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
        static final String NOW = "now";
        static final String LIST = String.join(", ", CALLER, REPO, COMMIT_SHA, REF, FOLDER, ENVIRONMENT, COMMAND, BREAK_GLASS)
                + " and " + NOW;

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
                case NOW -> input.now();
                default -> null;
            };
            return Optional.ofNullable(value);
        }
    }
}
