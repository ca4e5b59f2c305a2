package dev.portcullis.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One line of what an EXPLAIN (ANALYZE) plan did: its nodes in order and the rows they threw away. */
final class QueryPlans {
    // a node line: "->  Index Scan Backward using audit_event_pkey on audit_event audit_event_1  (actual ..."
    private static final Pattern NODE =
            Pattern.compile("^\\s*(?:->\\s*)?([A-Z][A-Za-z ]+?(?: using \\w+)?)(?: on (\\w+)(?: \\w+)?)?\\s*\\(");
    private static final Pattern REMOVED = Pattern.compile("Rows Removed by Filter: (\\d+)");

    private QueryPlans() {}

    /** E.g. "Limit > Merge Append > Index Scan Backward using audit_event_action ×2; 0 rows filtered out". */
    static String summary(List<String> plan) {
        List<String> nodes = new ArrayList<>();
        long removed = 0;
        for (String line : plan) {
            Matcher node = NODE.matcher(line);
            if (node.find()) {
                String name = name(node);
                int last = nodes.size() - 1;
                if (last >= 0 && nodes.get(last).startsWith(name)) {
                    String[] counted = nodes.get(last).split(" ×");
                    nodes.set(last, name + " ×" + (counted.length == 2 ? Integer.parseInt(counted[1]) + 1 : 2));
                } else {
                    nodes.add(name);
                }
            }
            Matcher filtered = REMOVED.matcher(line);
            if (filtered.find()) {
                removed += Long.parseLong(filtered.group(1));
            }
        }
        return String.join(" > ", nodes) + "; " + removed + " rows filtered out";
    }

    /** How many Sort nodes the plan has. */
    static int sorts(List<String> plan) {
        return (int) plan.stream().map(NODE::matcher).filter(Matcher::find)
                .filter(node -> node.group(1).equals("Sort") || node.group(1).startsWith("Incremental Sort")).count();
    }

    /** The node and its index; the table, always audit_event, left out. */
    private static String name(Matcher node) {
        String relation = node.group(2);
        return relation == null || relation.equals("audit_event") ? node.group(1) : node.group(1) + " on " + relation;
    }
}
