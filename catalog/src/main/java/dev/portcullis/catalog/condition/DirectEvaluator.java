package dev.portcullis.catalog.condition;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.CelKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Evaluates a type-checked CEL expression by walking a tree of Java closures built once from the
 * checked AST, for the shapes catalog rules are written in: int, string, bool and list literals,
 * variables, field selection on maps, arithmetic, comparisons of ints, equality, {@code &&},
 * {@code ||}, {@code !}, {@code ?:}, {@code in}, indexing, {@code size}, the string tests
 * {@code startsWith}, {@code endsWith} and {@code contains}, and the macros {@code exists},
 * {@code all}, {@code exists_one}, {@code map} and {@code filter}. CEL-Java's interpreter
 * dispatches every call through its overload tables and costs a microsecond for
 * {@code plan.delete + plan.replace > 0}, more than the rest of a policy decision; this does the
 * same in tens of nanoseconds.
 *
 * <p>It never decides differently from CEL. {@link #compile} answers empty for anything outside
 * these shapes (maps built in the expression, doubles, timestamps, {@code has()}, ...), and CEL
 * evaluates those. Evaluation answers {@link #FAILED} where CEL raises an error (a missing key, an
 * index out of range, an int overflow, a division by zero, a comprehension over its iteration
 * budget) and wherever it is not sure of CEL's answer (values of types it does not know, equality
 * across types); the caller then lets CEL evaluate, so CEL's answer and CEL's error text stand.
 * Every operation keeps to that: given operands that are CEL's values or {@link #FAILED}, it answers
 * CEL's value or {@link #FAILED}; {@code &&} and {@code ||} answer {@code false} and {@code true}
 * across a {@link #FAILED} operand only where CEL's answer does not depend on it.
 * {@code DirectEvaluatorTest} holds both to the same results over generated expressions.
 * Immutable and thread-safe.
 */
final class DirectEvaluator {
    /** What evaluation answers where CEL raises an error, or may. */
    static final Object FAILED = new Object() {
        @Override
        public String toString() {
            return "FAILED";
        }
    };

    /** The kinds of value this evaluates; an expression the checker typed otherwise is CEL's. */
    private static final Set<CelKind> KINDS = Set.of(CelKind.INT, CelKind.STRING, CelKind.BOOL, CelKind.LIST, CelKind.MAP,
            CelKind.DYN);

    /** One node of the tree: its value, or {@link #FAILED}. */
    @FunctionalInterface
    interface Node {
        Object eval(Frame frame);
    }

    /** One evaluation: the variables, the comprehensions' locals and the iterations spent. */
    static final class Frame {
        private final Function<String, Optional<Object>> variables;
        private final Object[] locals;
        private final int maxIterations;
        private int iterations;

        private Frame(Function<String, Optional<Object>> variables, int locals, int maxIterations) {
            this.variables = variables;
            this.locals = new Object[locals];
            this.maxIterations = maxIterations;
        }
    }

    /** A compiled expression: evaluate it with {@link #eval}. */
    static final class Program {
        private final Node root;
        private final int locals;
        private final int maxIterations;

        private Program(Node root, int locals, int maxIterations) {
            this.root = root;
            this.locals = locals;
            this.maxIterations = maxIterations;
        }

        /** The expression's value with {@code variables}, or {@link #FAILED}. */
        Object eval(Function<String, Optional<Object>> variables) {
            return root.eval(new Frame(variables, locals, maxIterations));
        }
    }

    /** Outside the shapes this evaluates: CEL evaluates the expression. */
    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private final CelAbstractSyntaxTree ast;
    /** The comprehension variables in scope while compiling, innermost last, with their slots. */
    private final List<Map.Entry<String, Integer>> scope = new ArrayList<>();
    private int slots;

    private DirectEvaluator(CelAbstractSyntaxTree ast) {
        this.ast = ast;
    }

    /**
     * The program for a checked {@code ast}; empty when it uses anything outside the shapes above.
     *
     * @param maxIterations CEL's comprehension budget: at or beyond it, evaluation leaves it to CEL
     */
    static Optional<Program> compile(CelAbstractSyntaxTree ast, int maxIterations) {
        DirectEvaluator compiler = new DirectEvaluator(ast);
        try {
            Node root = compiler.node(ast.getExpr());
            return Optional.of(new Program(root, compiler.slots, maxIterations));
        } catch (Unsupported outside) {
            return Optional.empty();
        }
    }

    private Node node(CelExpr expr) throws Unsupported {
        CelKind kind = ast.getType(expr.id()).map(type -> type.kind()).orElse(CelKind.ERROR);
        if (!KINDS.contains(kind)) {
            throw new Unsupported();
        }
        return switch (expr.exprKind().getKind()) {
            case CONSTANT -> constant(expr.constant());
            case IDENT -> ident(expr);
            case SELECT -> select(expr);
            case CALL -> call(expr.call());
            case LIST -> list(expr.list());
            case COMPREHENSION -> comprehension(expr.comprehension());
            default -> throw new Unsupported();
        };
    }

    private Node ident(CelExpr expr) throws Unsupported {
        String name = expr.ident().name();
        for (int i = scope.size() - 1; i >= 0; i--) {
            if (scope.get(i).getKey().equals(name)) {
                int slot = scope.get(i).getValue();
                return frame -> frame.locals[slot];
            }
        }
        Optional<CelReference> reference = ast.getReference(expr.id());
        if (reference.isEmpty() || reference.get().value().isPresent() || reference.get().name().isEmpty()) {
            throw new Unsupported(); // an enum constant, or something only CEL knows
        }
        String variable = reference.get().name();
        return frame -> frame.variables.apply(variable).orElse(FAILED);
    }

    /** {@code m.field} on a map: a missing field is an error, as in CEL. */
    private Node select(CelExpr expr) throws Unsupported {
        CelExpr.CelSelect select = expr.select();
        if (select.testOnly() || ast.getReference(expr.id()).isPresent()) {
            throw new Unsupported(); // has(), or a name the checker resolved that only CEL knows
        }
        Node operand = node(select.operand());
        String field = select.field();
        return frame -> operand.eval(frame) instanceof Map<?, ?> map ? present(map.get(field)) : FAILED;
    }

    private static Node constant(CelConstant constant) throws Unsupported {
        Object value = switch (constant.getKind()) {
            case INT64_VALUE -> constant.int64Value();
            case STRING_VALUE -> constant.stringValue();
            case BOOLEAN_VALUE -> constant.booleanValue();
            default -> throw new Unsupported();
        };
        return frame -> value;
    }

    private Node list(CelExpr.CelList list) throws Unsupported {
        if (!list.optionalIndices().isEmpty()) {
            throw new Unsupported();
        }
        List<Node> elements = new ArrayList<>();
        for (CelExpr element : list.elements()) {
            elements.add(node(element));
        }
        return frame -> {
            List<Object> values = new ArrayList<>(elements.size());
            for (Node element : elements) {
                Object value = element.eval(frame);
                if (value == FAILED) {
                    return FAILED;
                }
                values.add(value);
            }
            return List.copyOf(values);
        };
    }

    /**
     * A macro's loop, as CEL runs it: over a list's elements or a map's keys, the loop condition
     * checked before each step, every iteration counted against the budget.
     */
    private Node comprehension(CelExpr.CelComprehension comprehension) throws Unsupported {
        if (!comprehension.iterVar2().isEmpty()) {
            throw new Unsupported(); // two-variable comprehensions
        }
        Node range = node(comprehension.iterRange());
        Node init = node(comprehension.accuInit());
        int accuSlot = slots++;
        int iterSlot = slots++;
        scope.add(Map.entry(comprehension.accuVar(), accuSlot));
        Node result = node(comprehension.result());
        scope.add(Map.entry(comprehension.iterVar(), iterSlot));
        Node condition = node(comprehension.loopCondition());
        Node step = node(comprehension.loopStep());
        scope.remove(scope.size() - 1);
        scope.remove(scope.size() - 1);
        return frame -> {
            Object over = range.eval(frame);
            List<?> elements;
            if (over instanceof List<?> list) {
                elements = list;
            } else if (over instanceof Map<?, ?> map) {
                elements = List.copyOf(map.keySet());
            } else {
                return FAILED;
            }
            frame.locals[accuSlot] = init.eval(frame);
            for (Object element : elements) {
                if (++frame.iterations >= frame.maxIterations) {
                    return FAILED; // CEL's budget: CEL says so in its words
                }
                frame.locals[iterSlot] = element;
                Object go = condition.eval(frame);
                if (!(go instanceof Boolean)) {
                    return FAILED;
                }
                if (!(Boolean) go) {
                    break;
                }
                frame.locals[accuSlot] = step.eval(frame);
            }
            frame.locals[iterSlot] = null;
            return result.eval(frame);
        };
    }

    private Node call(CelExpr.CelCall call) throws Unsupported {
        List<CelExpr> operands = new ArrayList<>();
        call.target().ifPresent(operands::add);
        operands.addAll(call.args());
        String function = call.function();
        List<Node> nodes = new ArrayList<>();
        for (CelExpr operand : operands) {
            nodes.add(node(operand));
        }
        if (nodes.size() == 1) {
            return unary(function, nodes.get(0));
        }
        if (nodes.size() == 2 && (function.equals("_&&_") || function.equals("_||_"))) {
            // CEL absorbs an error of a bool-typed operand, never a non-bool value of a dyn one
            return logical(function.equals("_&&_"), nodes.get(0), boolTyped(operands.get(0)), nodes.get(1),
                    boolTyped(operands.get(1)));
        }
        if (nodes.size() == 2) {
            return binary(function, nodes.get(0), nodes.get(1));
        }
        if (nodes.size() == 3 && function.equals("_?_:_")) {
            Node condition = nodes.get(0);
            Node then = nodes.get(1);
            Node otherwise = nodes.get(2);
            return frame -> condition.eval(frame) instanceof Boolean b ? (b ? then : otherwise).eval(frame) : FAILED;
        }
        throw new Unsupported();
    }

    private static Node unary(String function, Node value) throws Unsupported {
        return switch (function) {
            case "!_" -> frame -> value.eval(frame) instanceof Boolean b ? (Object) !b : FAILED;
            case "-_" -> frame -> value.eval(frame) instanceof Long n && n != Long.MIN_VALUE ? (Object) (-n) : FAILED;
            case "size" -> frame -> size(value.eval(frame));
            // the loop condition of exists and all: only false stops the loop; an error does not
            case "@not_strictly_false" -> frame -> !Boolean.FALSE.equals(value.eval(frame));
            default -> throw new Unsupported();
        };
    }

    private static Object size(Object value) {
        if (value instanceof String s) {
            return (long) s.codePointCount(0, s.length()); // CEL counts code points
        }
        if (value instanceof List<?> list) {
            return (long) list.size();
        }
        if (value instanceof Map<?, ?> map) {
            return (long) map.size();
        }
        return FAILED;
    }

    private static Node binary(String function, Node left, Node right) throws Unsupported {
        return switch (function) {
            case "_==_" -> frame -> equal(left.eval(frame), right.eval(frame), true);
            case "_!=_" -> frame -> equal(left.eval(frame), right.eval(frame), false);
            case "_<_", "_<=_", "_>_", "_>=_" -> compare(function, left, right);
            case "_+_" -> frame -> plus(left.eval(frame), right.eval(frame));
            case "_-_" -> arithmetic(left, right, Math::subtractExact);
            case "_*_" -> arithmetic(left, right, Math::multiplyExact);
            case "_/_" -> arithmetic(left, right, (a, b) -> a == Long.MIN_VALUE && b == -1 ? Math.negateExact(a) : a / b);
            case "_%_" -> arithmetic(left, right, (a, b) -> a % b);
            case "@in" -> frame -> in(left.eval(frame), right.eval(frame));
            case "_[_]" -> frame -> index(left.eval(frame), right.eval(frame));
            case "startsWith", "endsWith", "contains" -> stringTest(function, left, right);
            default -> throw new Unsupported();
        };
    }

    private boolean boolTyped(CelExpr expr) {
        return ast.getType(expr.id()).map(type -> type.kind() == CelKind.BOOL).orElse(false);
    }

    /**
     * CEL's {@code &&} ({@code and}) and {@code ||}: false (true) on either side wins, even over an
     * error on the other. Only an operand the checker typed bool can be such an error: a
     * {@code dyn} operand holding anything but a bool (a resource's field) is an error CEL does not
     * absorb, so the direct path gives way.
     */
    private static Node logical(boolean and, Node left, boolean leftBool, Node right, boolean rightBool) {
        Boolean wins = !and;
        return frame -> {
            Object a = left.eval(frame);
            if (!(a instanceof Boolean) && !(a == FAILED && leftBool)) {
                return FAILED;
            }
            if (wins.equals(a)) {
                return wins;
            }
            Object b = right.eval(frame);
            if (!(b instanceof Boolean) && !(b == FAILED && rightBool)) {
                return FAILED;
            }
            if (wins.equals(b)) {
                return wins;
            }
            return a instanceof Boolean && b instanceof Boolean ? (Object) !wins : FAILED;
        };
    }

    /** Ints, strings and bools of one type, and lists of them; anything else (e.g. across types) is CEL's. */
    private static Object equal(Object a, Object b, boolean equal) {
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return !equal;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!simple(x.get(i)) || x.get(i).getClass() != y.get(i).getClass()) {
                    return FAILED;
                }
            }
            return x.equals(y) == equal;
        }
        if (!simple(a) || a.getClass() != b.getClass()) {
            return FAILED;
        }
        return a.equals(b) == equal;
    }

    private static boolean simple(Object value) {
        return value instanceof Long || value instanceof String || value instanceof Boolean;
    }

    private static Node compare(String function, Node left, Node right) {
        return frame -> {
            if (!(left.eval(frame) instanceof Long a) || !(right.eval(frame) instanceof Long b)) {
                return FAILED; // only ints: CEL orders strings by code point, Java by UTF-16 unit
            }
            int order = Long.compare(a, b);
            return switch (function) {
                case "_<_" -> order < 0;
                case "_<=_" -> order <= 0;
                case "_>_" -> order > 0;
                default -> order >= 0;
            };
        };
    }

    private static Object plus(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            try {
                return Math.addExact(x, y);
            } catch (ArithmeticException overflow) {
                return FAILED;
            }
        }
        if (a instanceof String x && b instanceof String y) {
            return x + y;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            List<Object> joined = new ArrayList<>(x.size() + y.size());
            joined.addAll(x);
            joined.addAll(y);
            return List.copyOf(joined);
        }
        return FAILED;
    }

    @FunctionalInterface
    private interface LongOperator {
        long apply(long a, long b);
    }

    /** Int arithmetic; an overflow or a division by zero is an error, as in CEL. */
    private static Node arithmetic(Node left, Node right, LongOperator operator) {
        return frame -> {
            if (!(left.eval(frame) instanceof Long a) || !(right.eval(frame) instanceof Long b)) {
                return FAILED;
            }
            try {
                return operator.apply(a, b);
            } catch (ArithmeticException overflowOrDivisionByZero) {
                return FAILED;
            }
        };
    }

    /** {@code value in list} where every element has the value's type, or {@code key in map} with string keys. */
    private static Object in(Object value, Object container) {
        if (!simple(value)) {
            return FAILED;
        }
        if (container instanceof List<?> list) {
            for (Object element : list) {
                if (element == null || element.getClass() != value.getClass()) {
                    return FAILED;
                }
            }
            return list.contains(value);
        }
        if (container instanceof Map<?, ?> map && value instanceof String) {
            for (Object key : map.keySet()) {
                if (!(key instanceof String)) {
                    return FAILED;
                }
            }
            return map.containsKey(value);
        }
        return FAILED;
    }

    private static Object index(Object container, Object at) {
        if (container instanceof List<?> list && at instanceof Long i) {
            return i >= 0 && i < list.size() ? list.get((int) (long) i) : FAILED;
        }
        if (container instanceof Map<?, ?> map && at instanceof String key) {
            return present(map.get(key));
        }
        return FAILED;
    }

    /** A map's value; absent, it is an error, as in CEL. */
    private static Object present(Object value) {
        return value == null ? FAILED : value;
    }

    private static Node stringTest(String function, Node left, Node right) {
        return frame -> {
            if (!(left.eval(frame) instanceof String s) || !(right.eval(frame) instanceof String part)) {
                return FAILED;
            }
            return switch (function) {
                case "startsWith" -> s.startsWith(part);
                case "endsWith" -> s.endsWith(part);
                default -> s.contains(part);
            };
        };
    }
}
