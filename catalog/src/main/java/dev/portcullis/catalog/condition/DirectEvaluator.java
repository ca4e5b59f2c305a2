package dev.portcullis.catalog.condition;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Evaluates a type-checked CEL expression by walking a tree of Java closures built once from the
 * checked AST, for the shapes catalog rules are written in: int, string and bool literals and
 * variables, arithmetic, comparisons, {@code &&}, {@code ||}, {@code !}, {@code ?:}, {@code in},
 * indexing, {@code size} and the string tests {@code startsWith}, {@code endsWith} and
 * {@code contains}. CEL-Java's interpreter dispatches every call through its overload tables and
 * costs a microsecond for {@code plan.delete + plan.replace > 0}, more than the rest of a policy
 * decision; this does the same in tens of nanoseconds.
 *
 * <p>It never decides differently from CEL: {@link #compile} answers empty for anything outside
 * these shapes (comprehensions, maps, doubles, timestamps, operands the checker typed {@code dyn},
 * ...), and CEL evaluates those. Evaluation answers {@link #FAILED} where CEL would raise an error
 * (a missing key, an index out of range, an int overflow or a division by zero, a variable without a
 * value or of an unexpected type), and the caller lets CEL evaluate again to say what went wrong in
 * its words. {@code DirectEvaluatorTest} holds both to the same results over generated expressions.
 * Immutable and thread-safe.
 */
final class DirectEvaluator {
    /** What evaluation answers where CEL raises an error. */
    static final Object FAILED = new Object() {
        @Override
        public String toString() {
            return "FAILED";
        }
    };

    /** One node of the tree: its value, or {@link #FAILED}. */
    @FunctionalInterface
    interface Node {
        Object eval(Function<String, Optional<Object>> variables);
    }

    /** Outside the shapes this evaluates: CEL evaluates the expression. */
    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private final CelAbstractSyntaxTree ast;

    private DirectEvaluator(CelAbstractSyntaxTree ast) {
        this.ast = ast;
    }

    /** The tree for a checked {@code ast}; empty when it uses anything outside the shapes above. */
    static Optional<Node> compile(CelAbstractSyntaxTree ast) {
        try {
            return Optional.of(new DirectEvaluator(ast).node(ast.getExpr()));
        } catch (Unsupported outside) {
            return Optional.empty();
        }
    }

    private Node node(CelExpr expr) throws Unsupported {
        Optional<CelReference> reference = ast.getReference(expr.id());
        if (reference.isPresent() && (expr.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT
                || expr.exprKind().getKind() == CelExpr.ExprKind.Kind.SELECT)) {
            return variable(reference.get());
        }
        return switch (expr.exprKind().getKind()) {
            case CONSTANT -> constant(expr.constant());
            case CALL -> call(expr);
            case LIST -> list(expr.list());
            default -> throw new Unsupported();
        };
    }

    private static Node variable(CelReference reference) throws Unsupported {
        if (reference.value().isPresent() || reference.name().isEmpty()) {
            throw new Unsupported(); // an enum constant, or something only CEL knows
        }
        String name = reference.name();
        return variables -> variables.apply(name).orElse(FAILED);
    }

    private static Node constant(CelConstant constant) throws Unsupported {
        Object value = switch (constant.getKind()) {
            case INT64_VALUE -> constant.int64Value();
            case STRING_VALUE -> constant.stringValue();
            case BOOLEAN_VALUE -> constant.booleanValue();
            default -> throw new Unsupported();
        };
        return variables -> value;
    }

    private Node list(CelExpr.CelList list) throws Unsupported {
        if (!list.optionalIndices().isEmpty()) {
            throw new Unsupported();
        }
        List<Node> elements = new ArrayList<>();
        for (CelExpr element : list.elements()) {
            elements.add(node(element));
        }
        return variables -> {
            List<Object> values = new ArrayList<>(elements.size());
            for (Node element : elements) {
                Object value = element.eval(variables);
                if (value == FAILED) {
                    return FAILED;
                }
                values.add(value);
            }
            return List.copyOf(values);
        };
    }

    private Node call(CelExpr expr) throws Unsupported {
        CelExpr.CelCall call = expr.call();
        List<CelExpr> operands = new ArrayList<>();
        call.target().ifPresent(operands::add);
        operands.addAll(call.args());
        String function = call.function();
        if (operands.size() == 1) {
            return unary(function, operands.get(0));
        }
        if (operands.size() == 2) {
            return binary(function, operands.get(0), operands.get(1));
        }
        if (operands.size() == 3 && function.equals("_?_:_") && kind(operands.get(0)) == CelKind.BOOL) {
            Node condition = node(operands.get(0));
            Node then = node(operands.get(1));
            Node otherwise = node(operands.get(2));
            return variables -> {
                Object test = condition.eval(variables);
                return test instanceof Boolean b ? (b ? then : otherwise).eval(variables) : FAILED;
            };
        }
        throw new Unsupported();
    }

    private Node unary(String function, CelExpr operand) throws Unsupported {
        CelKind kind = kind(operand);
        Node value = node(operand);
        if (function.equals("!_") && kind == CelKind.BOOL) {
            return variables -> value.eval(variables) instanceof Boolean b ? !b : FAILED;
        }
        if (function.equals("-_") && kind == CelKind.INT) {
            return variables -> value.eval(variables) instanceof Long n && n != Long.MIN_VALUE ? -n : FAILED;
        }
        if (function.equals("size")) {
            return size(kind, value);
        }
        throw new Unsupported();
    }

    private static Node size(CelKind kind, Node value) throws Unsupported {
        return switch (kind) {
            case STRING -> variables -> value.eval(variables) instanceof String s ? (Object) (long) s.codePointCount(0, s.length())
                    : FAILED;
            case LIST -> variables -> value.eval(variables) instanceof List<?> l ? (Object) (long) l.size() : FAILED;
            case MAP -> variables -> value.eval(variables) instanceof Map<?, ?> m ? (Object) (long) m.size() : FAILED;
            default -> throw new Unsupported();
        };
    }

    private Node binary(String function, CelExpr leftExpr, CelExpr rightExpr) throws Unsupported {
        CelKind leftKind = kind(leftExpr);
        CelKind rightKind = kind(rightExpr);
        Node left = node(leftExpr);
        Node right = node(rightExpr);
        boolean ints = leftKind == CelKind.INT && rightKind == CelKind.INT;
        boolean strings = leftKind == CelKind.STRING && rightKind == CelKind.STRING;
        boolean bools = leftKind == CelKind.BOOL && rightKind == CelKind.BOOL;
        switch (function) {
            case "_&&_":
                if (bools) {
                    return and(left, right);
                }
                break;
            case "_||_":
                if (bools) {
                    return or(left, right);
                }
                break;
            case "_==_":
            case "_!=_":
                if (ints || strings || bools) {
                    boolean equal = function.equals("_==_");
                    Class<?> type = ints ? Long.class : strings ? String.class : Boolean.class;
                    return variables -> {
                        Object a = left.eval(variables);
                        Object b = right.eval(variables);
                        return type.isInstance(a) && type.isInstance(b) ? (Object) (a.equals(b) == equal) : FAILED;
                    };
                }
                break;
            case "_<_":
            case "_<=_":
            case "_>_":
            case "_>=_":
                if (ints) {
                    return compare(function, left, right);
                }
                break;
            case "_+_":
                if (strings) {
                    return variables -> left.eval(variables) instanceof String a && right.eval(variables) instanceof String b
                            ? a + b : FAILED;
                }
                if (ints) {
                    return arithmetic(left, right, Math::addExact);
                }
                break;
            case "_-_":
                if (ints) {
                    return arithmetic(left, right, Math::subtractExact);
                }
                break;
            case "_*_":
                if (ints) {
                    return arithmetic(left, right, Math::multiplyExact);
                }
                break;
            case "_/_":
                if (ints) {
                    return arithmetic(left, right, (a, b) -> a == Long.MIN_VALUE && b == -1 ? Math.negateExact(a) : a / b);
                }
                break;
            case "_%_":
                if (ints) {
                    return arithmetic(left, right, (a, b) -> a % b);
                }
                break;
            case "@in":
                return in(leftKind, expectType(rightExpr), left, right);
            case "_[_]":
                return index(expectType(leftExpr), rightKind, left, right);
            case "startsWith":
            case "endsWith":
            case "contains":
                if (strings) {
                    return stringTest(function, left, right);
                }
                break;
            default:
                break;
        }
        throw new Unsupported();
    }

    /** CEL's {@code &&}: false wins over an error on either side, as does {@code true} for {@code ||}. */
    private static Node and(Node left, Node right) {
        return variables -> {
            Object a = left.eval(variables);
            if (Boolean.FALSE.equals(a)) {
                return false;
            }
            Object b = right.eval(variables);
            if (Boolean.FALSE.equals(b)) {
                return false;
            }
            return a instanceof Boolean && b instanceof Boolean ? (Object) true : FAILED;
        };
    }

    private static Node or(Node left, Node right) {
        return variables -> {
            Object a = left.eval(variables);
            if (Boolean.TRUE.equals(a)) {
                return true;
            }
            Object b = right.eval(variables);
            if (Boolean.TRUE.equals(b)) {
                return true;
            }
            return a instanceof Boolean && b instanceof Boolean ? (Object) false : FAILED;
        };
    }

    private static Node compare(String function, Node left, Node right) {
        return variables -> {
            if (!(left.eval(variables) instanceof Long a) || !(right.eval(variables) instanceof Long b)) {
                return FAILED;
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

    @FunctionalInterface
    private interface LongOperator {
        long apply(long a, long b);
    }

    /** Int arithmetic; an overflow or a division by zero is an error, as in CEL. */
    private static Node arithmetic(Node left, Node right, LongOperator operator) {
        return variables -> {
            if (!(left.eval(variables) instanceof Long a) || !(right.eval(variables) instanceof Long b)) {
                return FAILED;
            }
            try {
                return operator.apply(a, b);
            } catch (ArithmeticException overflowOrDivisionByZero) {
                return FAILED;
            }
        };
    }

    private static Node in(CelKind element, CelType container, Node left, Node right) throws Unsupported {
        boolean simple = element == CelKind.INT || element == CelKind.STRING || element == CelKind.BOOL;
        if (simple && container instanceof ListType list && list.hasElemType() && list.elemType().kind() == element) {
            return variables -> {
                Object value = left.eval(variables);
                Object values = right.eval(variables);
                return value == FAILED || !(values instanceof List<?> l) ? FAILED : (Object) l.contains(value);
            };
        }
        if (element == CelKind.STRING && container instanceof MapType map && map.keyType().kind() == CelKind.STRING) {
            return variables -> {
                Object key = left.eval(variables);
                Object values = right.eval(variables);
                return key == FAILED || !(values instanceof Map<?, ?> m) ? FAILED : (Object) m.containsKey(key);
            };
        }
        throw new Unsupported();
    }

    private static Node index(CelType container, CelKind key, Node left, Node right) throws Unsupported {
        if (container instanceof ListType && key == CelKind.INT) {
            return variables -> {
                Object values = left.eval(variables);
                Object at = right.eval(variables);
                if (!(values instanceof List<?> l) || !(at instanceof Long i) || i < 0 || i >= l.size()) {
                    return FAILED;
                }
                return l.get((int) (long) i);
            };
        }
        if (container instanceof MapType map && map.keyType().kind() == CelKind.STRING && key == CelKind.STRING) {
            return variables -> {
                Object values = left.eval(variables);
                Object at = right.eval(variables);
                if (!(values instanceof Map<?, ?> m) || !(at instanceof String k)) {
                    return FAILED;
                }
                Object value = m.get(k);
                return value == null ? FAILED : value;
            };
        }
        throw new Unsupported();
    }

    private static Node stringTest(String function, Node left, Node right) {
        return variables -> {
            if (!(left.eval(variables) instanceof String s) || !(right.eval(variables) instanceof String part)) {
                return FAILED;
            }
            return switch (function) {
                case "startsWith" -> s.startsWith(part);
                case "endsWith" -> s.endsWith(part);
                default -> s.contains(part);
            };
        };
    }

    private CelType expectType(CelExpr expr) throws Unsupported {
        Optional<CelType> type = ast.getType(expr.id());
        if (type.isEmpty()) {
            throw new Unsupported();
        }
        return type.get();
    }

    private CelKind kind(CelExpr expr) throws Unsupported {
        return expectType(expr).kind();
    }
}
