package dev.portcullis.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Grafana dashboard (deploy/grafana/portcullis.json) is importable into any Grafana with a
 * Prometheus data source, and queries exactly the metric families of grafana/portcullis-metrics.txt,
 * which RunMetricsTest (module cli) finds served by a suite that ran a plan.
 */
class DashboardTest {
    private static final Path DASHBOARD = Path.of("grafana/portcullis.json");
    private static final Path METRICS = Path.of("grafana/portcullis-metrics.txt");
    private static final Set<String> HISTOGRAM_SUFFIXES = Set.of("_bucket", "_count", "_sum");
    /** PromQL words that are neither functions nor metrics. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "and", "or", "unless");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dashboard() throws IOException {
        // JSON is YAML 1.2
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(DASHBOARD, UTF_8));
    }

    private static Set<String> listedFamilies() throws IOException {
        Set<String> families = new TreeSet<>();
        for (String line : Files.readAllLines(METRICS, UTF_8)) {
            String family = line.replaceAll("#.*", "").strip();
            if (!family.isEmpty()) {
                assertTrue(families.add(family), "listed twice: " + family);
            }
        }
        return families;
    }

    /** Every panel, rows' nested panels included. */
    private static List<Map<String, Object>> panels(Map<String, Object> dashboard) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (Map<String, Object> panel : Yaml.maps(dashboard, "panels")) {
            all.add(panel);
            all.addAll(Yaml.maps(panel, "panels"));
        }
        return all;
    }

    /** Every PromQL expression: the panels' queries and the template variables' queries. */
    private static List<String> expressions(Map<String, Object> dashboard) {
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> panel : panels(dashboard)) {
            Yaml.maps(panel, "targets").forEach(target -> expressions.add(Yaml.string(target, "expr")));
        }
        for (Map<String, Object> variable : Yaml.maps(dashboard, "templating", "list")) {
            if ("query".equals(Yaml.string(variable, "type"))) {
                String query = Yaml.string(variable, "query", "query");
                Matcher labelValues = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,").matcher(query);
                assertTrue(labelValues.find(), "variable " + Yaml.string(variable, "name") + ": " + query);
                expressions.add(labelValues.group(1));
            }
        }
        return expressions;
    }

    /**
     * The metric names an expression reads: what is left once label matchers, ranges, grouping
     * clauses, strings and numbers are removed, and functions (a name before a parenthesis) and
     * keywords skipped.
     */
    static Set<String> metricNames(String expression) {
        String bare = expression
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher matcher = IDENTIFIER.matcher(bare);
        while (matcher.find()) {
            String name = matcher.group();
            String rest = bare.substring(matcher.end()).stripLeading();
            boolean function = rest.startsWith("(");
            boolean number = matcher.start() > 0 && Character.isDigit(bare.charAt(matcher.start() - 1));
            if (!function && !number && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /** The family a name belongs to: itself when listed, else the histogram it is a series of. */
    private static String family(String name, Set<String> listed) {
        if (listed.contains(name)) {
            return name;
        }
        for (String suffix : HISTOGRAM_SUFFIXES) {
            if (name.endsWith(suffix) && listed.contains(name.substring(0, name.length() - suffix.length()))) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }

    @Test
    void theDashboardQueriesExactlyTheListedFamilies() throws IOException {
        Set<String> listed = listedFamilies();
        Set<String> queried = new TreeSet<>();
        List<String> unknown = new ArrayList<>();

        for (String expression : expressions(dashboard())) {
            for (String name : metricNames(expression)) {
                String family = family(name, listed);
                queried.add(family);
                if (!listed.contains(family)) {
                    unknown.add(name + " in " + expression);
                }
            }
        }

        assertEquals(List.of(), unknown, "metrics the dashboard queries that are not in " + METRICS);
        assertEquals(listed, queried, "every listed family is queried by some panel");
    }

    @Test
    void everyQueryGoesToThePrometheusDataSourceChosenOnTheDashboard() throws IOException {
        Map<String, Object> dashboard = dashboard();
        List<Map<String, Object>> variables = Yaml.maps(dashboard, "templating", "list");
        Map<String, Object> datasource = variables.stream().filter(v -> "datasource".equals(Yaml.string(v, "type")))
                .findFirst().orElseThrow();
        assertEquals("prometheus", Yaml.string(datasource, "query"));
        String reference = "${" + Yaml.string(datasource, "name") + "}";

        List<String> elsewhere = new ArrayList<>();
        for (Map<String, Object> panel : panels(dashboard)) {
            if ("row".equals(Yaml.string(panel, "type"))) {
                continue;
            }
            if (!reference.equals(Yaml.string(panel, "datasource", "uid"))) {
                elsewhere.add(Yaml.string(panel, "title"));
            }
            for (Map<String, Object> target : Yaml.maps(panel, "targets")) {
                if (!reference.equals(Yaml.string(target, "datasource", "uid"))
                        || !"prometheus".equals(Yaml.string(target, "datasource", "type"))) {
                    elsewhere.add(Yaml.string(panel, "title") + " " + Yaml.string(target, "refId"));
                }
            }
        }
        assertEquals(List.of(), elsewhere, "panels and queries not on " + reference);
    }

    @Test
    void panelsHaveUniqueIdsAndTitlesADescriptionAndAQuery() throws IOException {
        Map<String, Object> dashboard = dashboard();
        Set<Object> ids = new HashSet<>();
        Set<String> titles = new HashSet<>();

        for (Map<String, Object> panel : panels(dashboard)) {
            String title = Yaml.string(panel, "title");
            assertTrue(ids.add(Yaml.at(panel, "id")), "duplicate id: " + title);
            assertTrue(titles.add(title), "duplicate title: " + title);
            if (!"row".equals(Yaml.string(panel, "type"))) {
                assertFalse(Yaml.string(panel, "description").isBlank(), "no description: " + title);
                assertFalse(Yaml.maps(panel, "targets").isEmpty(), "no query: " + title);
                Yaml.maps(panel, "targets").forEach(t -> assertFalse(Yaml.string(t, "expr").isBlank(), title));
            }
        }
        assertEquals("portcullis-overview", Yaml.string(dashboard, "uid"));
    }

    @Test
    void metricNamesAreReadPastFunctionsLabelsRangesAndGrouping() {
        assertEquals(Set.of("rpc_server_duration_milliseconds_bucket"), metricNames(
                "histogram_quantile(0.99, sum by (le, service_name, rpc_method) "
                        + "(rate(rpc_server_duration_milliseconds_bucket{service_name=~\"$service\", rpc_method!=\"x\"}[$__rate_interval])))"));
        assertEquals(Set.of("portcullis_gateway_runs"), metricNames("max(portcullis_gateway_runs{state=\"QUEUED\"})"));
        assertEquals(Set.of("a_total", "b"), metricNames("sum without (x) (a_total) / on (y) group_left b"));
    }
}
