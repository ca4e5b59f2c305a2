package dev.portcullis.audit.alert;

import static dev.portcullis.audit.alert.AnomalyDetector.durationText;
import static dev.portcullis.audit.alert.AnomalyDetector.plain;
import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.alert.Alert.Severity;
import dev.portcullis.audit.alert.BurstWindow.Hit;
import dev.portcullis.audit.catalog.CatalogRepos;
import dev.portcullis.audit.catalog.RepoUrl;
import dev.portcullis.runtime.audit.AuditEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Anomaly rules across the pipeline, over events from outside sources (see {@link AlertRule}):
 * branch protection weakened on a repository Portcullis deploys, a force-push to a protected ref
 * of one, a push to the catalog repository, a burst of failed CI sign-ins, a new deploy key, an
 * outside source gone silent, and one correlation with the suite's own events: an {@code apply}
 * run of a commit pushed by an identity that had never pushed to that repository before.
 *
 * <p>The correlation reads the gateway's {@code run.submitted} events by their attributes
 * {@code command}, {@code repo} (the catalog's repo name; the event's resource repo when absent)
 * and {@code commit_sha}, and the {@code scm.push} events' {@code commits}, {@code after} and
 * {@code repo_url}. The pusher is the push event's actor (e.g. {@code github:octocat}), else its
 * {@code pusher} attribute. Push history lives in memory, bounded, and is seeded at start from
 * the stored pushes with {@link #seedPushes}. Thread-safe: calls are serialised.
 */
public final class PipelineRules implements AnomalyRules {
    /** How many pushed commits are remembered for the correlation. */
    static final int REMEMBERED_COMMITS = 200_000;
    /** How many distinct (repository, pusher) pairs are remembered. */
    static final int REMEMBERED_PUSHERS = 100_000;

    /** Who brought a commit into a repository, and whether that was their first push there. */
    private record Push(String repoUrl, String pusher, boolean firstByPusher, UUID eventId) {}

    private final PipelineRulesConfig config;
    private final Supplier<CatalogRepos> catalog;
    private final Clock clock;
    // all mutable state below is guarded by this
    private final BurstWindow loginFailuresByUser;
    private final BurstWindow loginFailuresByAddress;
    private final Map<String, Set<String>> pushersByRepo = new HashMap<>();
    private int rememberedPushers;
    private final Map<String, Push> commits = new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Push> eldest) {
            return size() > REMEMBERED_COMMITS;
        }
    };

    public PipelineRules(PipelineRulesConfig config, Supplier<CatalogRepos> catalog, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.loginFailuresByUser = new BurstWindow(config.ciLoginFailureBurstThreshold(), config.ciLoginFailureBurstWindow());
        this.loginFailuresByAddress = new BurstWindow(config.ciLoginFailureBurstThreshold(),
                config.ciLoginFailureBurstWindow());
    }

    /**
     * Remembers stored {@code scm.push} events, oldest first, as if they had just arrived but
     * without raising alerts; the service calls this at start.
     */
    public synchronized void seedPushes(Collection<AuditEvent> pushes) {
        pushes.forEach(this::rememberPush);
    }

    @Override
    public synchronized List<Alert> onEvent(AuditEvent event) {
        requireNonNull(event, "event is null");
        Instant now = clock.instant();
        List<Alert> alerts = new ArrayList<>(1);
        switch (event.action()) {
            case SCM_PUSH -> {
                pushAlerts(event, now, alerts);
                rememberPush(event);
            }
            case SCM_PROTECTION_CHANGED -> {
                if (config.protectionWeakenedEnabled()) {
                    protectionWeakened(event, now).ifPresent(alerts::add);
                }
            }
            case SCM_DEPLOY_KEY_ADDED -> {
                if (config.deployKeyAddedEnabled()) {
                    alerts.add(deployKeyAdded(event, now));
                }
            }
            case CI_LOGIN_FAILED -> {
                if (config.ciLoginFailureBurstEnabled()) {
                    Instant time = event.time().isAfter(now) ? now : event.time();
                    loginFailureBurst(event, time, now).ifPresent(alerts::add);
                }
            }
            case RUN_SUBMITTED -> {
                if (config.unfamiliarPusherApplyEnabled()) {
                    unfamiliarPusherApply(event, now).ifPresent(alerts::add);
                }
            }
            case SOURCE_SILENT -> {
                if (config.sourceSilentEnabled()) {
                    alerts.add(sourceSilent(event, now));
                }
            }
            default -> {
                // no pipeline rule looks at this action
            }
        }
        return List.copyOf(alerts);
    }

    private void pushAlerts(AuditEvent event, Instant now, List<Alert> alerts) {
        Map<String, String> attributes = event.attributes();
        Optional<RepoUrl> url = repoUrl(event);
        CatalogRepos repos = catalog.get();
        String ref = attributes.getOrDefault("ref", "");
        if (config.protectedRefForcePushEnabled() && "true".equals(attributes.get("forced")) && deployed(repos, url)
                && url.map(u -> repos.isProtected(u, ref, attributes.getOrDefault("default_branch", ""))).orElse(true)) {
            String summary = "Force-push to protected " + plain(ref) + " of " + repoName(event) + " by " + who(event);
            alerts.add(AnomalyDetector.single(AlertRule.PROTECTED_REF_FORCE_PUSH, Severity.HIGH, summary, event, now));
        }
        if (config.catalogRepoPushEnabled() && url.map(repos::isCatalogRepository).orElse(false)) {
            String summary = "Push to the catalog repository " + repoName(event) + " (" + plain(ref) + ") by " + who(event);
            alerts.add(AnomalyDetector.single(AlertRule.CATALOG_REPO_PUSH, Severity.MEDIUM, summary, event, now));
        }
    }

    private Optional<Alert> protectionWeakened(AuditEvent event, Instant now) {
        if (!"true".equals(event.attributes().get("weakened")) || !deployed(catalog.get(), repoUrl(event))) {
            return Optional.empty();
        }
        String change = event.attributes().getOrDefault("change", "changed");
        String rule = event.attributes().getOrDefault("rule", "");
        String summary = "Branch protection" + (rule.isEmpty() ? "" : " " + plain(rule)) + " of " + repoName(event) + " "
                + plain(change) + " and weakened (" + plain(event.attributes().getOrDefault("weakened_by", "")) + ") by "
                + who(event);
        return Optional.of(AnomalyDetector.single(AlertRule.PROTECTION_WEAKENED, Severity.HIGH, summary, event, now));
    }

    private Alert deployKeyAdded(AuditEvent event, Instant now) {
        Optional<RepoUrl> url = repoUrl(event);
        CatalogRepos repos = catalog.get();
        boolean sensitive = deployed(repos, url) || url.map(repos::isCatalogRepository).orElse(false);
        String readOnly = "false".equals(event.attributes().get("read_only")) ? "read-write " : "";
        String summary = "New " + readOnly + "deploy key " + plain(event.attributes().getOrDefault("title", ""))
                + " on " + repoName(event) + " by " + who(event);
        return AnomalyDetector.single(AlertRule.DEPLOY_KEY_ADDED, sensitive ? Severity.HIGH : Severity.MEDIUM, summary,
                event, now);
    }

    private Optional<Alert> loginFailureBurst(AuditEvent event, Instant time, Instant now) {
        String source = event.attributes().getOrDefault("source", event.service());
        String user = event.attributes().getOrDefault("user", event.actor());
        String address = AnomalyDetector.hostOf(event.sourceAddress());
        Optional<List<Hit>> byUser = user.isEmpty() ? Optional.empty()
                : loginFailuresByUser.record(source + "\0" + user, time, event.eventId());
        Optional<List<Hit>> byAddress = address.isEmpty() ? Optional.empty()
                : loginFailuresByAddress.record(source + "\0" + address, time, event.eventId());
        if (byUser.isEmpty() && byAddress.isEmpty()) {
            return Optional.empty();
        }
        Set<Hit> hits = new LinkedHashSet<>();
        Map<String, String> attributes = new HashMap<>();
        attributes.put("source", source);
        StringBuilder who = new StringBuilder();
        if (byUser.isPresent()) {
            hits.addAll(byUser.get());
            attributes.put("user", user);
            who.append(" for ").append(plain(user));
        }
        if (byAddress.isPresent()) {
            hits.addAll(byAddress.get());
            attributes.put("source_ip", address);
            who.append(" from ").append(plain(address));
        }
        int failures = Math.max(byUser.map(List::size).orElse(0), byAddress.map(List::size).orElse(0));
        Duration window = config.ciLoginFailureBurstWindow();
        attributes.put("failures", Integer.toString(failures));
        attributes.put("window", durationText(window));
        String summary = failures + " failed sign-ins at " + plain(source) + who + " within " + durationText(window);
        return Optional.of(new Alert(AlertRule.CI_LOGIN_FAILURE_BURST.ruleName(), Severity.HIGH, summary,
                AnomalyDetector.idsInTimeOrder(hits), attributes, now));
    }

    private Optional<Alert> unfamiliarPusherApply(AuditEvent event, Instant now) {
        Map<String, String> attributes = event.attributes();
        if (!"apply".equals(attributes.get("command"))) {
            return Optional.empty();
        }
        String sha = attributes.getOrDefault("commit_sha", "");
        Push push = commits.get(sha);
        if (sha.isEmpty() || push == null || !push.firstByPusher()) {
            return Optional.empty();
        }
        String repo = attributes.getOrDefault("repo", event.resource().repo());
        Optional<CatalogRepos.Repo> known = catalog.get().byName(repo);
        if (known.isPresent() && !known.get().url().value().equals(push.repoUrl())) {
            return Optional.empty(); // the same commit in another repository (a fork)
        }
        Map<String, String> details = new HashMap<>();
        details.put("repo", repo);
        details.put("commit_sha", sha);
        details.put("pusher", push.pusher());
        details.put("environment", attributes.getOrDefault("environment", ""));
        details.put("folder", attributes.getOrDefault("folder", ""));
        details.put("run_id", event.resource().runId());
        details.put("actor", event.actor());
        details.values().removeIf(String::isEmpty);
        String summary = "Apply of " + plain(sha.substring(0, Math.min(12, sha.length()))) + " in " + plain(repo)
                + ": the commit was pushed by " + plain(push.pusher()) + ", who had never pushed to it before";
        return Optional.of(new Alert(AlertRule.UNFAMILIAR_PUSHER_APPLY.ruleName(), Severity.HIGH, summary,
                List.of(push.eventId(), event.eventId()), details, now));
    }

    private Alert sourceSilent(AuditEvent event, Instant now) {
        Map<String, String> attributes = event.attributes();
        String summary = "Source " + plain(attributes.getOrDefault("source", event.resource().id()))
                + " has delivered nothing for longer than " + plain(attributes.getOrDefault("max_silence", "its max silence"))
                + " (last delivery: " + plain(attributes.getOrDefault("last_delivery", "never")) + ")";
        return AnomalyDetector.single(AlertRule.SOURCE_SILENT, Severity.HIGH, summary, event, now);
    }

    private void rememberPush(AuditEvent push) {
        Map<String, String> attributes = push.attributes();
        if ("true".equals(attributes.get("deleted"))) {
            return;
        }
        String repo = attributes.getOrDefault("repo_url", push.resource().repo());
        String pusher = push.actor().isEmpty() ? attributes.getOrDefault("pusher", "") : push.actor();
        if (repo.isEmpty() || pusher.isEmpty()) {
            return;
        }
        Set<String> pushers = pushersByRepo.computeIfAbsent(repo, r -> new HashSet<>());
        boolean first = !pushers.contains(pusher);
        if (first && rememberedPushers < REMEMBERED_PUSHERS) {
            pushers.add(pusher);
            rememberedPushers++;
        }
        List<String> shas = new ArrayList<>();
        for (String sha : attributes.getOrDefault("commits", "").split(",")) {
            if (!sha.isEmpty()) {
                shas.add(sha);
            }
        }
        shas.add(attributes.getOrDefault("after", ""));
        for (String sha : shas) {
            if (!sha.isEmpty() && !sha.matches("0{40}")) {
                // a commit belongs to whoever brought it first
                commits.putIfAbsent(sha, new Push(repo, pusher, first, push.eventId()));
            }
        }
    }

    private static Optional<RepoUrl> repoUrl(AuditEvent event) {
        String url = event.attributes().getOrDefault("repo_url", "");
        if (url.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RepoUrl(url));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** True when the repository is one Portcullis deploys; an event without a location counts only without a catalog. */
    private static boolean deployed(CatalogRepos repos, Optional<RepoUrl> url) {
        return url.map(repos::deploys).orElse(!repos.configured());
    }

    private static String repoName(AuditEvent event) {
        String repo = event.resource().repo();
        return repo.isEmpty() ? "an unnamed repository" : "repo " + plain(repo);
    }

    private static String who(AuditEvent event) {
        String pusher = event.actor().isEmpty() ? event.attributes().getOrDefault("pusher", "") : event.actor();
        return pusher.isEmpty() ? "an unknown identity" : plain(pusher);
    }
}
