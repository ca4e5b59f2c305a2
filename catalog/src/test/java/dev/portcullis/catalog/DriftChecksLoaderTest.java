package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A repo's {@code drift:} checks as the loader reads and refuses them. */
class DriftChecksLoaderTest {
    private final CatalogLoader loader = new CatalogLoader();

    /** {@code DRIFT} is replaced by each test: line 18, its value starts at column 12. */
    private static final String CATALOG = """
            version: 1
            environments:
              stage: {}
              prod: {}
            commands:
              plan: { argv: ["terraform", "plan"], produces: plan.tfplan, summary: terraform }
              apply: { argv: ["terraform", "apply", "plan.tfplan"], requires_plan: true, changes_infrastructure: true }
              lint: { argv: ["tflint"] }
              rawplan: { argv: ["terraform", "plan"], produces: plan.tfplan }
              replay: { argv: ["terraform", "apply", "plan.tfplan"], produces: plan.tfplan, summary: terraform, requires_plan: true }
            repos:
              - name: app
                url: https://github.com/acme/app.git
                folders: ["stage/**", "prod/**"]
                callers: ["spiffe://example.org/ci/app"]
                rules:
                  - { commands: [plan, apply, lint, rawplan, replay], refs: ["refs/heads/*"], environments: [stage, prod] }
                drift: DRIFT
            """;
    private static final int DRIFT_LINE = 18;
    private static final int DRIFT_COLUMN = 12;
    private static final String PROD_NETWORK = "[{ folders: [prod/network], environments: [prod], command: plan, every: 6h }]";
    private static final CatalogName APP = new CatalogName("app");
    private static final CatalogName PROD = new CatalogName("prod");
    private static final CatalogName STAGE = new CatalogName("stage");
    private static final CatalogName PLAN = new CatalogName("plan");

    private Catalog load(String drift) {
        return loader.load("catalog.yaml", CATALOG.replace("DRIFT", drift).getBytes(StandardCharsets.UTF_8));
    }

    private List<CatalogProblem> problems(String drift) {
        return assertThrows(CatalogRejectedException.class, () -> load(drift)).problems();
    }

    /** file:line:column of {@code token}'s first occurrence in {@code drift}. */
    private static String placeOf(String drift, String token) {
        assertTrue(drift.contains(token), token);
        return "catalog.yaml:" + DRIFT_LINE + ":" + (DRIFT_COLUMN + drift.indexOf(token));
    }

    @Test
    void aDriftCheckLoadsWithItsDefaults() {
        DriftCheck check = load(PROD_NETWORK).repo(APP).orElseThrow().drift().get(0);

        assertEquals(List.of(RepoFolder.parse("prod/network")), check.folders());
        assertEquals(List.of(PROD), check.environments());
        assertEquals(PLAN, check.command());
        assertEquals(Duration.ofHours(6), check.every());
        assertEquals(new GitRef("refs/heads/main"), check.ref());
        assertEquals(Duration.ofMinutes(36), check.jitter());
        assertEquals(List.of(), check.quietHours());
        assertEquals(new Location("catalog.yaml", DRIFT_LINE, DRIFT_COLUMN + 1), check.location());
    }

    @Test
    void everyFieldIsRead() {
        DriftCheck check = load("[{ folders: [prod/network, prod/dns], environments: [prod], command: plan, every: 1d12h,"
                + " ref: refs/heads/release, jitter: 0s, quiet_hours: ['Sat-Sun 00:00-24:00 Europe/Berlin'] }]")
                .repo(APP).orElseThrow().drift().get(0);

        assertEquals(List.of(RepoFolder.parse("prod/network"), RepoFolder.parse("prod/dns")), check.folders());
        assertEquals(Duration.ofHours(36), check.every());
        assertEquals(new GitRef("refs/heads/release"), check.ref());
        assertEquals(Duration.ZERO, check.jitter());
        assertEquals(List.of(ChangeWindow.parse("Sat,Sun 00:00-24:00 Europe/Berlin")), check.quietHours());
    }

    @Test
    void theTargetsAreEachFolderInEachEnvironmentOrderedByRepoFolderAndEnvironment() {
        Catalog catalog = load("[{ folders: [stage/network], environments: [stage], command: plan, every: 1h },"
                + " { folders: [prod/network, prod/dns], environments: [stage, prod], command: plan, every: 6h }]");

        List<DriftTarget> targets = catalog.driftTargets();

        assertEquals(List.of("prod/dns prod", "prod/dns stage", "prod/network prod", "prod/network stage",
                "stage/network stage"), targets.stream().map(t -> t.folder() + " " + t.environment()).toList());
        assertEquals(new DriftTarget(APP, RepoFolder.parse("stage/network"), STAGE, PLAN, DriftCheck.DEFAULT_REF,
                Duration.ofHours(1), Duration.ofMinutes(6), List.of()), targets.get(4));
    }

    @Test
    void aCatalogWithoutDriftChecksHasNoTargets() {
        Catalog catalog = ExampleCatalog.load();

        assertEquals(List.of(), catalog.driftTargets());
    }

    @Test
    void jitterMayBeExactlyHalfOfEvery() {
        DriftCheck check = load(PROD_NETWORK.replace("every: 6h", "every: 6h, jitter: 3h")).repo(APP).orElseThrow().drift().get(0);

        assertEquals(Duration.ofHours(3), check.jitter());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            every below the minimum  | every: 6h     | every: 4m        | 4m        | every | must be at least 5m: each check is a whole plan run
            every above the maximum  | every: 6h     | every: 7d1s      | 7d1s      | every | must be at most 7d
            every unparseable        | every: 6h     | every: 6 hours   | 6 hours   | every | must be a duration such as 30m, 6h, 1d or 1d12h (units d, h, m, s)
            every in the wrong order | every: 6h     | every: 30m6h     | 30m6h     | every | must be a duration such as 30m, 6h, 1d or 1d12h (units d, h, m, s)
            jitter above half        | every: 6h     | every: 6h, jitter: 3h1s | 3h1s | jitter | must be at most half of every (3h), so a check is never put off by more
            jitter unparseable       | every: 6h     | every: 6h, jitter: 10% | 10% | jitter | must be a duration such as 30m, 6h, 1d or 1d12h (units d, h, m, s)
            every zero               | every: 6h     | every: 0s        | 0s        | every | must be at least 5m: each check is a whole plan run
            jitter equal to every    | every: 6h     | every: 6h, jitter: 6h | 6h } | jitter | must be at most half of every (3h), so a check is never put off by more
            jitter above every       | every: 6h     | every: 6h, jitter: 7h | 7h    | jitter | must be at most half of every (3h), so a check is never put off by more
            jitter negative          | every: 6h     | every: 6h, jitter: -1m | -1m  | jitter | must be a duration such as 30m, 6h, 1d or 1d12h (units d, h, m, s)
            unknown environment      | [prod]        | [production]     | production | environments[0] | unknown environment 'production'
            no environment           | [prod]        | []               | []        | environments | must name at least one environment
            unknown command          | command: plan | command: plna    | plna      | command | unknown command 'plna'
            command changing infrastructure | command: plan | command: apply | apply | command | command 'apply' changes infrastructure; a drift check only plans
            command applying a plan  | command: plan | command: replay  | replay    | command | command 'replay' applies a plan (requires_plan: true); a drift check only plans
            command without produces | command: plan | command: lint    | lint      | command | command 'lint' produces no plan (no produces:); a drift check reads the plan it writes
            command without summary  | command: plan | command: rawplan | rawplan   | command | command 'rawplan' has no summary:; drift is read from the plan summary, so a check without one could never see it
            folder outside the repo's folders | [prod/network] | [dev/network] | dev/network | folders[0] | folder 'dev/network' is not among the repo's folders [stage/**, prod/**]
            folder pattern           | [prod/network] | ['prod/**']     | 'prod/**' | folders[0] | must be a folder, not a pattern: a drift check plans exactly the folders it lists, e.g. prod/network
            folder not normalised    | [prod/network] | [./prod//network] | ./prod  | folders[0] | must be written normalised, as 'prod/network'
            folder leaving the repo  | [prod/network] | [prod/../x]     | prod/..   | folders[0] | must not contain '..': folders stay inside the repository
            no folder                | [prod/network] | []              | []        | folders | must name at least one folder
            ref not a full ref       | every: 6h     | every: 6h, ref: main | main   | ref | must be a full ref name starting with refs/, e.g. refs/heads/main
            ref with a wildcard      | every: 6h     | every: 6h, ref: 'refs/heads/*' | 'refs | ref | must not contain '*'
            bad quiet hours          | every: 6h     | every: 6h, quiet_hours: ['Sat-Sun 00:00-25:00 Europe/Berlin'] | 'Sat | quiet_hours[0] | end time '25:00' is not a time of day (00:00 to 24:00)
            quiet hours unknown zone | every: 6h     | every: 6h, quiet_hours: ['Sat-Sun 00:00-24:00 Mars/Olympus'] | 'Sat | quiet_hours[0] | unknown time zone 'Mars/Olympus'; expected a region such as Europe/Berlin or UTC, or an offset such as +02:00
            quiet hours unknown day  | every: 6h     | every: 6h, quiet_hours: ['Sonntag 00:00-24:00 UTC'] | 'Son | quiet_hours[0] | unknown day 'Sonntag'; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun
            quiet hours without zone | every: 6h     | every: 6h, quiet_hours: ['Sat-Sun 00:00-24:00'] | 'Sat | quiet_hours[0] | change window 'Sat-Sun 00:00-24:00' must have three parts separated by spaces (days, time range, time zone); expected '<days> <HH:MM>-<HH:MM> <zone>', e.g. 'Mon-Fri 08:00-18:00 Europe/Berlin'
            quiet hours not a list   | every: 6h     | every: 6h, quiet_hours: 'Sat-Sun 00:00-24:00 UTC' | 'Sat | quiet_hours | must be a list
            ref malformed            | every: 6h     | every: 6h, ref: refs/heads/a..b | refs/heads/a..b | ref | must not contain '..'
            quiet hours all week     | every: 6h     | every: 6h, quiet_hours: ['Mon-Fri 00:00-24:00 UTC', 'Sat,Sun 00:00-24:00 UTC'] | ['Mon | quiet_hours | leave no time in a week for the check to run
            unknown key              | every: 6h     | every: 6h, evry: 6h | evry  | evry | unknown field 'evry'; allowed: [command, environments, every, folders, jitter, quiet_hours, ref]
            missing every            | , every: 6h   | ""               | {         | every | is required
            no rule admits the check | every: 6h     | every: 6h, ref: refs/tags/v1 | { | "" | no rule of this repo lets command 'plan' run in environment 'prod' for refs/tags/v1 and folder 'prod/network'; a drift check is decided like any run
            """)
    void aBadDriftCheckIsRefusedWithItsPlace(String title, String from, String to, String token, String field, String message) {
        String drift = PROD_NETWORK.replace(from, to);

        List<CatalogProblem> problems = problems(drift);

        String fieldPath = "repos[0].drift[0]" + (field.isEmpty() ? "" : "." + field);
        assertEquals(List.of(placeOf(drift, token) + ": " + fieldPath + ": " + message),
                problems.stream().map(CatalogProblem::toString).toList());
    }

    @Test
    void aTargetCheckedTwiceIsRefused() {
        String drift = PROD_NETWORK.replace("}]", "}, { folders: [prod/dns, prod/network], environments: [prod],"
                + " command: plan, every: 1h }]");

        List<CatalogProblem> problems = problems(drift);

        assertEquals(List.of(placeOf(drift, "{ folders: [prod/dns") + ": repos[0].drift[1]: folder 'prod/network' in"
                + " environment 'prod' is already checked by drift[0]; a target has one schedule"),
                problems.stream().map(CatalogProblem::toString).toList());
    }

    @Test
    void driftMustBeAList() {
        List<CatalogProblem> problems = problems("{ folders: [prod/network] }");

        assertEquals(List.of("catalog.yaml:18:12: repos[0].drift: must be a list"),
                problems.stream().map(CatalogProblem::toString).toList());
    }

    @Test
    void aRefusedRuleIsNotReportedAgainAsNoRuleAdmittingTheCheck() {
        String catalog = CATALOG.replace("DRIFT", PROD_NETWORK).replace("refs/heads/*", "refs/heads/a..*");

        List<CatalogProblem> problems = assertThrows(CatalogRejectedException.class,
                () -> loader.load("catalog.yaml", catalog.getBytes(StandardCharsets.UTF_8))).problems();

        assertEquals(List.of("repos[0].rules[0].refs[0]"), problems.stream().map(CatalogProblem::field).toList());
    }

    @Test
    void aCatalogsDriftMinEveryLetsChecksRunMoreOften() {
        String catalog = CATALOG.replace("DRIFT", PROD_NETWORK.replace("every: 6h", "every: 10s")) + "drift_min_every: 10s\n";

        DriftCheck check = loader.load("catalog.yaml", catalog.getBytes(StandardCharsets.UTF_8)).repo(APP).orElseThrow()
                .drift().get(0);

        assertEquals(Duration.ofSeconds(10), check.every());
        assertEquals(Duration.ofSeconds(1), check.jitter());
    }

    @Test
    void anEveryBelowTheCatalogsDriftMinEveryIsRefused() {
        String drift = PROD_NETWORK.replace("every: 6h", "every: 30s");
        String catalog = CATALOG.replace("DRIFT", drift) + "drift_min_every: 1m\n";

        List<CatalogProblem> problems = assertThrows(CatalogRejectedException.class,
                () -> loader.load("catalog.yaml", catalog.getBytes(StandardCharsets.UTF_8))).problems();

        assertEquals(List.of(placeOf(drift, "30s") + ": repos[0].drift[0].every: must be at least 1m: each check is a"
                + " whole plan run"), problems.stream().map(CatalogProblem::toString).toList());
    }

    @ParameterizedTest(name = "drift_min_every: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            9s     | must be from 10s to 7d
            7d1s   | must be from 10s to 7d
            5 min  | must be a duration such as 30m, 6h, 1d or 1d12h (units d, h, m, s)
            """)
    void aDriftMinEveryOutsideItsBoundsIsRefused(String written, String message) {
        String catalog = CATALOG.replace("DRIFT", PROD_NETWORK) + "drift_min_every: " + written + "\n";

        List<CatalogProblem> problems = assertThrows(CatalogRejectedException.class,
                () -> loader.load("catalog.yaml", catalog.getBytes(StandardCharsets.UTF_8))).problems();

        assertEquals(List.of("catalog.yaml:19:18: drift_min_every: " + message),
                problems.stream().map(CatalogProblem::toString).toList());
    }
}
