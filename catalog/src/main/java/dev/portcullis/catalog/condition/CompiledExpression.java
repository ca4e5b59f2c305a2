package dev.portcullis.catalog.condition;

import static java.util.Objects.requireNonNull;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelBuilder;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A CEL expression of the catalog, compiled once: the machinery {@link CelCondition} and
 * {@link PlanCondition} share. Parsing, type-checking, the size and iteration budgets, the
 * problem wording and fail-closed evaluation live here, so both kinds of expression behave alike.
 * Immutable and thread-safe.
 */
final class CompiledExpression {
    /** Long enough for any sensible rule; bounds the work a catalog entry can ask for. */
    static final int MAX_EXPRESSION_LENGTH = 4_096;
    /** Bounds each comprehension: over literals, or over a plan's at most 100 listed resources. */
    private static final int MAX_COMPREHENSION_ITERATIONS = 1_000;

    private final String expression;
    private final CelRuntime.Program program;
    /** The same expression as Java closures, when it has only the shapes {@link DirectEvaluator} knows. */
    private final Optional<DirectEvaluator.Program> direct;
    private final Set<String> references;

    private CompiledExpression(String expression, CelRuntime.Program program, Optional<DirectEvaluator.Program> direct,
            Set<String> references) {
        this.expression = expression;
        this.program = program;
        this.direct = direct;
        this.references = Set.copyOf(references);
    }

    /** A CEL environment with the catalog's options and macros, returning bool; the caller adds its variables. */
    static CelBuilder builder() {
        return CelFactory.standardCelBuilder()
                // CelOptions.current() evaluates timestamps as java.time.Instant (the option that chose
                // protobuf Timestamp instead is deprecated), so nothing here touches protobuf types
                .setOptions(CelOptions.current()
                        .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
                        .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
                        // CEL's ints are 64-bit and overflow is an error, never a wrap (DirectEvaluator relies on it)
                        .errorOnIntWrap(true)
                        .build())
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setResultType(SimpleType.BOOL);
    }

    /**
     * Parses and type-checks {@code expression} in {@code cel}.
     *
     * @param variables the declared variables in words, named when a reference is undeclared
     * @throws IllegalArgumentException naming every problem with its line and column (1-based)
     */
    static CompiledExpression compile(Cel cel, String expression, String variables) {
        requireNonNull(expression, "expression is null");
        if (expression.length() > MAX_EXPRESSION_LENGTH) {
            throw new IllegalArgumentException("condition is longer than " + MAX_EXPRESSION_LENGTH + " characters");
        }
        CelValidationResult compiled = cel.compile(expression);
        if (compiled.hasError()) {
            throw new IllegalArgumentException("condition does not compile: " + describe(compiled, variables));
        }
        try {
            CelAbstractSyntaxTree ast = compiled.getAst();
            Set<String> references = ast.getReferenceMap().values().stream()
                    .map(CelReference::name).filter(name -> !name.isEmpty()).collect(Collectors.toSet());
            return new CompiledExpression(expression, cel.createProgram(ast), DirectEvaluator.compile(ast, MAX_COMPREHENSION_ITERATIONS), references);
        } catch (CelValidationException | CelEvaluationException unexpected) {
            // hasError() was false, so neither can happen; keep the cause for whoever reads the log
            throw new IllegalArgumentException("condition does not compile: " + unexpected.getMessage(), unexpected);
        }
    }

    /**
     * Evaluates with variables read through {@code lookup} (absent: undeclared). Never throws for
     * a failure inside the expression: that fails closed, as not satisfied with the error text.
     */
    CelCondition.Result evaluate(Function<String, Optional<Object>> lookup) {
        if (direct.isPresent() && direct.get().eval(lookup) instanceof Boolean satisfied) {
            return new CelCondition.Result(satisfied, Optional.empty());
        }
        // outside the direct shapes, or an error there: CEL evaluates, and says what went wrong in its words
        return evaluateWithCel(lookup);
    }

    /** Evaluates with CEL's own interpreter only; {@link #evaluate} does the same, faster where it can. */
    CelCondition.Result evaluateWithCel(Function<String, Optional<Object>> lookup) {
        Object value;
        try {
            value = program.eval(lookup::apply);
        } catch (CelEvaluationException failure) {
            // CEL's text alone can be as terse as the missing key ("prod"); the code says what went wrong
            return new CelCondition.Result(false, Optional.of(failure.getErrorCode() + ": " + failure.getMessage()));
        }
        if (value instanceof Boolean satisfied) {
            return new CelCondition.Result(satisfied, Optional.empty());
        }
        // the checker guarantees bool; anything else is a CEL defect and must not admit a run
        return new CelCondition.Result(false, Optional.of("condition produced a non-bool value"));
    }

    String expression() {
        return expression;
    }

    /** Whether {@link #evaluate} takes the direct path (tests prove both paths agree). */
    boolean evaluatesDirectly() {
        return direct.isPresent();
    }

    /** The direct path's tree, for tests that hold it to CEL's answers. */
    Optional<DirectEvaluator.Program> directNode() {
        return direct;
    }

    /** Whether the checked expression reads the declared variable {@code name}. */
    boolean reads(String name) {
        return references.contains(name);
    }

    private static String describe(CelValidationResult compiled, String variables) {
        String problems = compiled.getErrors().stream().map(CompiledExpression::describe).collect(Collectors.joining("; "));
        // CEL names only the first unknown segment ("request" for "request.nope"), which misleads
        return problems.contains("undeclared reference") ? problems + "; the variables are " + variables : problems;
    }

    private static String describe(CelIssue issue) {
        CelSourceLocation at = issue.getSourceLocation();
        if (at.equals(CelSourceLocation.NONE)) {
            return issue.getMessage();
        }
        // CEL counts columns from 0; people count from 1
        return "line " + at.getLine() + ", column " + (at.getColumn() + 1) + ": " + issue.getMessage();
    }
}
