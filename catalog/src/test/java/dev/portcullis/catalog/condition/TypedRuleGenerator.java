package dev.portcullis.catalog.condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates typed plan rules reaching what {@link DirectEvaluatorTest}'s first generator does not:
 * {@code map} and {@code filter}, macros over a map's keys, comprehension variables shadowing
 * {@code plan}, mixed-type lists and {@code dyn} fields of a resource in every position (written by
 * the review of the direct evaluator, which found with it that CEL does not absorb a non-bool
 * operand of {@code &&}/{@code ||}).
 */
final class TypedRuleGenerator {
    enum T { INT, STR, BOOL, LSTR, LINT, LDYN, RES, LRES, MAP, DYN }
    static final String[] VARS = {"x", "y", "r", "plan", "o", "k"};
    private final Random rnd;
    private final List<String[]> scope = new ArrayList<>(); // {name, type}

    TypedRuleGenerator(Random random) {
        this.rnd = random;
    }

    /** A new bool rule. */
    String next() {
        scope.clear();
        return g(T.BOOL, 5);
    }

    String pick(String... s) { return s[rnd.nextInt(s.length)]; }

    String var(T t) {
        List<String> c = new ArrayList<>();
        for (String[] s : scope) if (s[1].equals(t.name()) || s[1].equals("DYN")) c.add(s[0]);
        if (c.isEmpty()) return null;
        return c.get(rnd.nextInt(c.size()));
    }

    String comp(String macro, T rangeElem, String range, java.util.function.Supplier<String> body) {
        String v = VARS[rnd.nextInt(VARS.length)];
        scope.add(new String[] {v, rangeElem.name()});
        try {
            return range + "." + macro + "(" + v + ", " + body.get() + ")";
        } finally {
            scope.remove(scope.size() - 1);
        }
    }

    String range(int d, T[] elem) {
        switch (rnd.nextInt(9)) {
            case 0: elem[0] = T.LSTR == null ? null : T.STR; return "plan.outputs";
            case 1: elem[0] = T.RES; return "plan.resources";
            case 2: elem[0] = T.STR; return "plan.types_by_action";
            case 3: elem[0] = T.STR; return "plan.resources[" + pick("0", "1", "2") + "]"; // map keys
            case 4: elem[0] = T.DYN; return "[1, \"a\", true, [1], " + g(T.INT, d - 1) + "]";
            case 5: elem[0] = T.INT; return "[0, 1, -1, 9223372036854775807, " + g(T.INT, d - 1) + "]";
            case 6: { String v = var(T.RES); if (v != null) { elem[0] = T.DYN; return v + ".actions"; } elem[0] = T.STR; return "plan.outputs"; }
            case 7: elem[0] = T.STR; return g(T.LSTR, d - 1);
            default: { String v = var(T.STR); elem[0] = T.STR; return v != null ? "plan.types_by_action[" + v + "]" : "plan.types_by_action[\"create\"]"; }
        }
    }

    String g(T t, int d) {
        if (d <= 0 || rnd.nextInt(4) == 0) {
            String v = rnd.nextInt(3) == 0 ? var(t) : null;
            if (v != null) return v;
            return leaf(t);
        }
        switch (t) {
            case BOOL: switch (rnd.nextInt(16)) {
                case 0: return "(" + g(T.BOOL, d - 1) + " " + pick("&&", "||") + " " + g(T.BOOL, d - 1) + ")";
                case 1: return "!" + "(" + g(T.BOOL, d - 1) + ")";
                case 2: return g(T.INT, d - 1) + " " + pick("<", "<=", ">", ">=", "==", "!=") + " " + g(T.INT, d - 1);
                case 3: return g(T.STR, d - 1) + " " + pick("==", "!=") + " " + g(T.STR, d - 1);
                case 4: return g(T.DYN, d - 1) + " " + pick("==", "!=") + " " + g(pickT(T.INT, T.STR, T.BOOL, T.DYN), d - 1);
                case 5: return g(T.STR, d - 1) + " in " + g(pickT(T.LSTR, T.LDYN, T.MAP, T.RES), d - 1);
                case 6: return g(pickT(T.INT, T.DYN), d - 1) + " in " + g(pickT(T.LINT, T.LDYN), d - 1);
                case 7: { T[] e = new T[1]; String r = range(d, e); return comp(pick("exists", "all", "exists_one"), e[0], r, () -> g(T.BOOL, d - 1)); }
                case 8: return g(T.STR, d - 1) + "." + pick("startsWith", "endsWith", "contains") + "(" + g(T.STR, d - 1) + ")";
                case 9: return "(" + g(T.BOOL, d - 1) + " ? " + g(T.BOOL, d - 1) + " : " + g(T.BOOL, d - 1) + ")";
                case 10: return g(pickT(T.LSTR, T.LINT, T.LDYN), d - 1) + " " + pick("==", "!=") + " " + g(pickT(T.LSTR, T.LINT, T.LDYN), d - 1);
                case 11: return "(" + g(T.DYN, d - 1) + ") " + pick("&&", "||") + " " + g(T.BOOL, d - 1);
                default: return g(T.BOOL, d - 1);
            }
            case INT: switch (rnd.nextInt(6)) {
                case 0: return "(" + g(T.INT, d - 1) + " " + pick("+", "-", "*", "/", "%") + " " + g(T.INT, d - 1) + ")";
                case 1: return "size(" + g(pickT(T.STR, T.LSTR, T.LDYN, T.MAP, T.RES, T.LRES), d - 1) + ")";
                case 2: return "-(" + g(T.INT, d - 1) + ")";
                case 3: return g(T.LINT, d - 1) + "[" + g(T.INT, d - 1) + "]";
                default: return pick("plan.create", "plan.delete", "plan.replace");
            }
            case STR: switch (rnd.nextInt(4)) {
                case 0: return "(" + g(T.STR, d - 1) + " + " + g(T.STR, d - 1) + ")";
                case 1: return g(T.LSTR, d - 1) + "[" + g(T.INT, d - 1) + "]";
                case 2: { String v = var(T.RES); return (v != null ? v : "plan.resources[0]") + "." + pick("type", "address", "nope"); }
                default: return leaf(T.STR);
            }
            case LSTR: switch (rnd.nextInt(4)) {
                case 0: { T[] e = new T[1]; String r = range(d, e); if (e[0] != T.STR) return "plan.outputs"; return comp("filter", e[0], r, () -> g(T.BOOL, d - 1)); }
                case 1: { T[] e = new T[1]; String r = range(d, e); return comp("map", e[0], r, () -> g(T.STR, d - 1)); }
                case 2: return "(" + g(T.LSTR, d - 1) + " + " + g(T.LSTR, d - 1) + ")";
                default: return leaf(T.LSTR);
            }
            case LINT: switch (rnd.nextInt(3)) {
                case 0: { T[] e = new T[1]; String r = range(d, e); return comp("map", e[0], r, () -> g(T.INT, d - 1)); }
                case 1: return "[" + g(T.INT, d - 1) + ", " + g(T.INT, d - 1) + "]";
                default: return leaf(T.LINT);
            }
            case LDYN: switch (rnd.nextInt(3)) {
                case 0: { T[] e = new T[1]; String r = range(d, e); return comp("map", e[0], r, () -> g(T.DYN, d - 1)); }
                case 1: { T[] e = new T[1]; String r = range(d, e); return comp("filter", e[0], r, () -> g(T.BOOL, d - 1)); }
                default: return leaf(T.LDYN);
            }
            case DYN: switch (rnd.nextInt(4)) {
                case 0: { String v = var(T.RES); return (v != null ? v : "plan.resources[0]") + pick(".type", ".actions", ".nope", "[\"type\"]", ".actions[0]"); }
                case 1: return g(T.LDYN, d - 1) + "[" + g(T.INT, d - 1) + "]";
                default: return g(pickT(T.INT, T.STR, T.BOOL), d - 1);
            }
            default: return leaf(t);
        }
    }

    T pickT(T... ts) { return ts[rnd.nextInt(ts.length)]; }

    String leaf(T t) {
        switch (t) {
            case INT: return pick("0", "1", "2", "-1", "9223372036854775807", "(-9223372036854775807 - 1)", "plan.create", "plan.delete");
            case STR: return pick("\"create\"", "\"delete\"", "\"aws_db_instance\"", "\"\"", "\"type\"", "\"𝄞\"", "\"endpoint\"");
            case BOOL: return pick("true", "false", "plan.has_changes");
            case LSTR: return pick("plan.outputs", "[\"create\", \"type\"]", "plan.types_by_action[\"delete\"]", "[]");
            case LINT: return pick("[1, 2]", "[0]", "[]");
            case LDYN: return pick("[1, \"create\", true]", "[\"delete\", \"create\"]", "plan.resources[0].actions", "[[1], 1]");
            case RES: return "plan.resources[" + pick("0", "1", "2") + "]";
            case LRES: return "plan.resources";
            case MAP: return "plan.types_by_action";
            default: return pick("1", "\"create\"", "true", "plan.resources[0].type", "plan.resources[0].actions");
        }
    }

    /** A plan with 0 to 3 resources of a few types (one named like an action), counts near overflow. */
    static PlanInput plan(Random random) {
        List<PlanInput.PlanResource> resources = new ArrayList<>();
        int listed = random.nextInt(4);
        String[] types = {"aws_db_instance", "aws_s3_bucket", "create", ""};
        for (int i = 0; i < listed; i++) {
            String type = types[random.nextInt(types.length)];
            List<String> actions = random.nextBoolean() ? List.of("create") : List.of("delete", "create");
            resources.add(new PlanInput.PlanResource(type + ".r" + i, type, actions));
        }
        List<String> outputs = random.nextBoolean() ? List.of("endpoint", "create") : List.of();
        long big = Long.MAX_VALUE;
        return new PlanInput(new PlanInput.Counts(random.nextInt(3), 0, random.nextBoolean() ? big : 1, random.nextInt(2), 0, 0, 0, 0),
                random.nextBoolean(), resources, 0, outputs);
    }
}
