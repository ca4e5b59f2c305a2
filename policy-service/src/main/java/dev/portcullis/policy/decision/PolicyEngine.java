package dev.portcullis.policy.decision;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.Command;
import dev.portcullis.catalog.CommandStep;
import dev.portcullis.catalog.PlanRule;
import dev.portcullis.catalog.PlanSummaryTool;
import dev.portcullis.catalog.Environment;
import dev.portcullis.catalog.Location;
import dev.portcullis.catalog.Repo;
import dev.portcullis.catalog.Rule;
import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.catalog.condition.CelCondition;
import dev.portcullis.catalog.condition.ConditionInput;
import dev.portcullis.catalog.condition.PlanInput;
import dev.portcullis.policy.catalog.ActiveCatalog;
import dev.portcullis.policy.decision.Decision.MatchedRule;
import dev.portcullis.policy.decision.Decision.Outcome;
import dev.portcullis.policy.decision.Decision.Reason;
import dev.portcullis.runtime.telemetry.Counter;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a run may happen. Deny by default: a run is allowed only when its repo,
 * caller, folder, environment and command are all in the catalog and one rule of the repo
 * admits the command for that ref, environment and folder with every condition holding. A
 * denial lists every reason that applies. Break-glass skips the caller list, ref rules,
 * approvals and change windows, never the catalog's repos, folders and commands. Thread-safe.
 */
public final class PolicyEngine {
    private final ActiveCatalog catalogs;
    private final Clock clock;
    private final Counter decisions;

    public PolicyEngine(ActiveCatalog catalogs, Clock clock) {
        this(catalogs, clock, Telemetry.disabled("policy"));
    }

    /** As above, counting decisions ({@code portcullis.policy.decisions}) by outcome and command. */
    public PolicyEngine(ActiveCatalog catalogs, Clock clock, Telemetry telemetry) {
        this.catalogs = requireNonNull(catalogs, "catalogs is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.decisions = requireNonNull(telemetry, "telemetry is null").counter("portcullis.policy.decisions", "{decision}",
                "policy decisions by outcome (allow, needs_approval, deny) and command");
    }

    /** Decides against the catalog in force; the whole decision sees one catalog version. */
    public Decision evaluate(EvaluationRequest request) {
        Catalog catalog = catalogs.current().catalog();
        Decision decision = decide(catalog, request, clock.instant());
        decisions.add(Map.of("outcome", outcome(decision),
                // a command outside the catalog is the caller's word: one label value for all of them
                "command", catalog.command(request.command()).isPresent() ? request.command().value() : "unknown",
                "break_glass", String.valueOf(request.breakGlass())));
        return decision;
    }

    private static String outcome(Decision decision) {
        if (!decision.allowed()) {
            return "deny";
        }
        return decision.requiredApprovals() > 0 ? "needs_approval" : "allow";
    }

    /** Decides {@code request} against {@code catalog} at {@code now}. Pure. */
    public static Decision decide(Catalog catalog, EvaluationRequest request, Instant now) {
        List<Reason> denials = new ArrayList<>();
        Optional<Repo> repo = catalog.repo(request.repo());
        Optional<Environment> environment = catalog.environment(request.environment());
        Optional<Command> command = catalog.command(request.command());
        if (repo.isEmpty()) {
            denials.add(new Reason("UNKNOWN_REPO", "repo '" + request.repo() + "' is not in the catalog", "repo"));
        }
        if (environment.isEmpty()) {
            denials.add(new Reason("UNKNOWN_ENVIRONMENT",
                    "environment '" + request.environment() + "' is not in the catalog", "environment"));
        }
        if (command.isEmpty()) {
            denials.add(new Reason("UNKNOWN_COMMAND", "command '" + request.command() + "' is not in the catalog", "command"));
        }
        List<String> folderSegments = request.folder().segments();
        if (repo.isPresent()) {
            Repo r = repo.get();
            String callerDomain = request.caller().trustDomain();
            List<String> callerSegments = request.caller().segments();
            if (!request.breakGlass()
                    && r.callers().stream().noneMatch(pattern -> pattern.matches(callerDomain, callerSegments))) {
                denials.add(new Reason("CALLER_NOT_ALLOWED",
                        "caller " + request.caller() + " may not ask for runs of repo '" + r.name() + "'", "caller"));
            }
            if (r.folders().stream().noneMatch(pattern -> pattern.matches(folderSegments))) {
                denials.add(new Reason("FOLDER_NOT_ALLOWED",
                        "folder '" + request.folder() + "' is not among the folders of repo '" + r.name() + "' "
                                + r.folders(), "folder"));
            }
        }
        Optional<Rule> matched = Optional.empty();
        if (repo.isPresent() && environment.isPresent() && command.isPresent()) {
            RuleMatch match = matchRule(repo.get(), request, folderSegments, now);
            matched = match.rule();
            if (matched.isEmpty()) {
                denials.addAll(match.reasons());
            }
        }
        if (command.isPresent()) {
            planReasons(command.get(), request).ifPresent(denials::add);
        }
        PlanRuleOutcome planRules = PlanRuleOutcome.NONE;
        if (matched.isPresent() && command.get().requiresPlan() && request.plan() instanceof PlanReference.Bound bound) {
            planRules = planRules(repo.get(), matched.get(), bound, request.breakGlass());
            denials.addAll(planRules.denials());
        }
        boolean changes = command.map(Command::changesInfrastructure).orElse(false);
        if (changes && !request.breakGlass() && environment.isPresent() && !environment.get().openAt(now)) {
            denials.add(new Reason("OUTSIDE_CHANGE_WINDOW", "environment '" + request.environment()
                    + "' accepts changes only in its change windows " + environment.get().changeWindows(), "environment"));
        }
        List<String> windows = environment.map(Environment::changeWindowTexts).orElse(List.of());
        if (!denials.isEmpty()) {
            return new Decision(Outcome.DENY, dedupe(denials), List.of(), 0, catalog.version(), List.of(), List.of(), "",
                    false, windows, "", List.of(), Map.of(), Duration.ZERO, PlanSummaryTool.NONE);
        }
        Repo r = repo.orElseThrow();
        Command c = command.orElseThrow();
        Rule rule = matched.orElseThrow();
        int approvals = request.breakGlass() || !c.changesInfrastructure() ? 0 : environment.orElseThrow().approvals();
        List<Reason> reasons = new ArrayList<>();
        reasons.add(new Reason("RULE_MATCHED", "rule " + rule.index() + " of repo '" + r.name() + "' allows '"
                + c.name() + "' in '" + request.environment() + "'", ""));
        if (request.breakGlass()) {
            reasons.add(new Reason("BREAK_GLASS", "break-glass: caller list, ref rules, approvals and change windows skipped", ""));
        }
        if (approvals > 0) {
            reasons.add(new Reason("APPROVALS_REQUIRED", approvals + " approval(s) required in '" + request.environment() + "'", ""));
        }
        reasons.addAll(planRules.approvalReasons());
        approvals = Math.max(approvals, planRules.approvals());
        List<SecretGrant> secrets = r.secretsFor(request.environment(), request.command());
        Command.Placeholders values = new Command.Placeholders(r.name().value(), request.environment().value(),
                request.folder().value(), c.name().value(), request.commit().value());
        List<CommandStep> steps = c.render(values);
        List<String> argv = steps.size() == 1 ? steps.get(0).argv() : List.of();
        return new Decision(Outcome.ALLOW, reasons, List.of(new MatchedRule(r.name(), rule)), approvals, catalog.version(),
                argv, secrets, c.produces(), c.requiresPlan(), windows, r.url(), steps, c.renderEnv(values), c.timeout(),
                c.summary());
    }

    /**
     * What the plan rules of the matched rule say about the bound plan.
     *
     * @param denials PLAN_SUMMARY_MISSING or PLAN_RULE_DENIED reasons; empty when the plan may be applied
     * @param approvals the most approvals a matching {@code approvals_when} asks for; 0 when none matches
     */
    private record PlanRuleOutcome(List<Reason> denials, int approvals, List<Reason> approvalReasons) {
        static final PlanRuleOutcome NONE = new PlanRuleOutcome(List.of(), 0, List.of());
    }

    /**
     * Evaluates the rule's {@code deny_when} and {@code approvals_when} against the plan summary.
     * Fails closed: no summary where a rule needs one, or a rule that cannot be evaluated, denies.
     * Break-glass skips approvals, so it skips {@code approvals_when}; never {@code deny_when}.
     */
    private static PlanRuleOutcome planRules(Repo repo, Rule rule, PlanReference.Bound bound, boolean breakGlass) {
        List<PlanRule.Approvals> approvalsWhen = breakGlass ? List.of() : rule.approvalsWhen();
        if (rule.denyWhen().isEmpty() && approvalsWhen.isEmpty()) {
            return PlanRuleOutcome.NONE;
        }
        Optional<PlanInput> summary = bound.summary();
        if (summary.isEmpty()) {
            return new PlanRuleOutcome(List.of(new Reason("PLAN_SUMMARY_MISSING", ruleName(repo, rule) + " has plan rules,"
                    + " but plan run " + bound.planRunId() + " has no plan summary: the plan command must declare summary:"
                    + " (terraform or tofu)", "plan.summary")), 0, List.of());
        }
        PlanInput plan = summary.get();
        List<Reason> denials = List.of();
        for (PlanRule.Deny deny : rule.denyWhen()) {
            CelCondition.Result result = deny.when().evaluate(plan);
            if (result.error().isPresent()) {
                denials = add(denials, unevaluable(repo, rule, deny, result.error().get()));
            } else if (result.satisfied()) {
                denials = add(denials, new Reason("PLAN_RULE_DENIED", deny.reason() + " (deny_when of " + ruleName(repo, rule)
                        + ", entry at " + where(deny.location()) + ")", "plan.summary"));
            }
        }
        int approvals = 0;
        List<Reason> approvalReasons = List.of();
        for (PlanRule.Approvals raise : approvalsWhen) {
            CelCondition.Result result = raise.when().evaluate(plan);
            if (result.error().isPresent()) {
                denials = add(denials, unevaluable(repo, rule, raise, result.error().get()));
            } else if (result.satisfied()) {
                approvals = Math.max(approvals, raise.approvals());
                approvalReasons = add(approvalReasons, new Reason("PLAN_RULE_APPROVALS", raise.approvals()
                        + " approval(s) required because the plan matches " + raise.when().expression() + " (approvals_when of "
                        + ruleName(repo, rule) + ", entry at " + where(raise.location()) + ")", "plan.summary"));
            }
        }
        return new PlanRuleOutcome(denials, approvals, approvalReasons);
    }

    /** Reasons are rare and every decision runs this: no list until there is something to say. */
    private static List<Reason> add(List<Reason> reasons, Reason reason) {
        List<Reason> more = reasons.isEmpty() ? new ArrayList<>(2) : reasons;
        more.add(reason);
        return more;
    }

    private static String ruleName(Repo repo, Rule rule) {
        return "rule " + rule.index() + " of repo '" + repo.name() + "' at " + where(rule.location());
    }

    /** A place in the catalog as callers may see it: line and column, never the file's path on the server. */
    private static String where(Location location) {
        return "catalog line " + location.line() + ":" + location.column();
    }

    private static Reason unevaluable(Repo repo, Rule rule, PlanRule planRule, String error) {
        return new Reason("PLAN_RULE_DENIED", "plan rule " + planRule.when().expression() + " of " + ruleName(repo, rule)
                + ", entry at " + where(planRule.location()) + ", could not be evaluated, so the plan is denied: " + error,
                "plan.summary");
    }

    private record RuleMatch(Optional<Rule> rule, List<Reason> reasons) {}

    private static RuleMatch matchRule(Repo repo, EvaluationRequest request, List<String> folderSegments, Instant now) {
        List<Reason> reasons = new ArrayList<>();
        boolean covered = false;
        ConditionInput input = null;
        for (Rule rule : repo.rules()) {
            if (!rule.covers(request.command(), request.environment())) {
                continue;
            }
            covered = true;
            boolean refOk = request.breakGlass() || rule.refs().stream().anyMatch(pattern -> pattern.matches(request.ref()));
            boolean folderOk = rule.folders().isEmpty()
                    || rule.folders().stream().anyMatch(pattern -> pattern.matches(folderSegments));
            if (!refOk) {
                reasons.add(new Reason("REF_NOT_ALLOWED", "ref '" + request.ref() + "' may not run '" + request.command()
                        + "' in '" + request.environment() + "' (rule " + rule.index() + " allows " + rule.refs() + ")", "ref"));
            }
            if (!folderOk) {
                reasons.add(new Reason("FOLDER_NOT_ALLOWED", "folder '" + request.folder() + "' is outside rule "
                        + rule.index() + "'s folders " + rule.folders(), "folder"));
            }
            boolean conditionsOk = true;
            if (refOk && folderOk) {
                for (CelCondition condition : rule.conditions()) {
                    if (input == null) {
                        input = new ConditionInput(request.caller().value(), request.repo().value(), request.commit().value(),
                                request.ref().value(), request.folder().value(), request.environment().value(),
                                request.command().value(), request.breakGlass(), now, request.claims().values());
                    }
                    CelCondition.Result result = condition.evaluate(input);
                    if (!result.satisfied()) {
                        conditionsOk = false;
                        reasons.add(new Reason("CONDITION_NOT_MET", "rule " + rule.index() + " at " + where(rule.location())
                                + " requires " + condition.expression()
                                + result.error().map(error -> " (could not be evaluated: " + error + ")").orElse(""), ""));
                        break;
                    }
                }
            }
            if (refOk && folderOk && conditionsOk) {
                return new RuleMatch(Optional.of(rule), List.of());
            }
        }
        if (!covered) {
            reasons.add(new Reason("NO_RULE", "no rule of repo '" + repo.name() + "' allows command '" + request.command()
                    + "' in environment '" + request.environment() + "'", "command"));
        }
        return new RuleMatch(Optional.empty(), reasons);
    }

    private static Optional<Reason> planReasons(Command command, EvaluationRequest request) {
        if (command.requiresPlan() && request.plan() instanceof PlanReference.None) {
            return Optional.of(new Reason("PLAN_REQUIRED", "command '" + command.name() + "' applies a plan: name the plan run", "plan"));
        }
        if (!command.requiresPlan() && request.plan() instanceof PlanReference.Bound) {
            return Optional.of(new Reason("PLAN_NOT_EXPECTED", "command '" + command.name() + "' does not apply a plan", "plan"));
        }
        if (request.plan() instanceof PlanReference.Bound bound && !bound.commit().equals(request.commit())) {
            return Optional.of(new Reason("PLAN_COMMIT_MISMATCH", "the plan was made at commit " + bound.commit()
                    + ", not " + request.commit(), "plan.commit_sha"));
        }
        return Optional.empty();
    }

    private static List<Reason> dedupe(List<Reason> reasons) {
        return List.copyOf(new LinkedHashSet<>(reasons));
    }
}
