package dev.portcullis.catalog;

import dev.portcullis.catalog.condition.CelCondition;
import dev.portcullis.catalog.condition.PlanCondition;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.Sha256Digest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads and validates a Service Catalog file. Every problem is reported with its line, column
 * and field path, and a catalog with any problem is refused whole: a typo must never quietly
 * widen or weaken a rule, so unknown fields are errors too. YAML anchors, aliases and custom
 * tags are refused (no expansion bombs, no surprises). Thread-safe.
 */
public final class CatalogLoader {
    /** Largest catalog file accepted. */
    public static final int MAX_BYTES = 1024 * 1024;
    private static final int MAX_REPOS = 10_000;
    private static final int MAX_LIST = 100;
    private static final int MAX_ARGV = 64;
    private static final int MAX_STRING = 4096;

    /**
     * Loads {@code content}, read from {@code fileName} (used in locations only).
     *
     * @throws CatalogRejectedException with every problem found
     */
    public Catalog load(String fileName, byte[] content) {
        Sha256Digest version = digest(content);
        Reader reader = new Reader(fileName);
        Optional<Catalog> catalog = reader.catalog(version, content);
        if (!reader.problems.isEmpty() || catalog.isEmpty()) {
            throw new CatalogRejectedException(version.value(), reader.problems.isEmpty()
                    ? List.of(new CatalogProblem(new Location(fileName, 0, 0), "", "the catalog is empty"))
                    : reader.problems);
        }
        return catalog.get();
    }

    /** The version a catalog with {@code content} has: the SHA-256 of its bytes. */
    public static Sha256Digest digest(byte[] content) {
        try {
            return new Sha256Digest(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static final Pattern TIMEOUT = Pattern.compile("(?:([0-9]{1,2})h)?(?:([0-9]{1,4})m)?(?:([0-9]{1,5})s)?");

    /** A command's timeout as written: {@code 30m}, {@code 1h30m}, {@code 90s}; from 1s to 24h. */
    private static Duration timeout(String text) {
        Matcher matcher = TIMEOUT.matcher(text);
        if (text.isEmpty() || !matcher.matches()) {
            throw new IllegalArgumentException("must be a duration such as 90s, 30m or 1h30m");
        }
        Duration timeout = Duration.ZERO;
        timeout = matcher.group(1) == null ? timeout : timeout.plusHours(Long.parseLong(matcher.group(1)));
        timeout = matcher.group(2) == null ? timeout : timeout.plusMinutes(Long.parseLong(matcher.group(2)));
        timeout = matcher.group(3) == null ? timeout : timeout.plusSeconds(Long.parseLong(matcher.group(3)));
        if (timeout.compareTo(Command.MIN_TIMEOUT) < 0 || timeout.compareTo(Command.MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("must be between 1s and 24h");
        }
        return timeout;
    }

    /** A drift check's interval as written: a duration from {@code min} to 7d. */
    private static Duration driftEvery(String text, Duration min) {
        Duration every = DriftCheck.parseDuration(text);
        if (every.compareTo(min) < 0) {
            throw new IllegalArgumentException("must be at least " + DriftCheck.format(min)
                    + ": each check is a whole plan run");
        }
        if (every.compareTo(DriftCheck.MAX_EVERY) > 0) {
            throw new IllegalArgumentException("must be at most " + DriftCheck.format(DriftCheck.MAX_EVERY));
        }
        return every;
    }

    /** The catalog's {@code drift_min_every} as written: a duration from 10s to 7d. */
    private static Duration driftMinEvery(String text) {
        Duration min = DriftCheck.parseDuration(text);
        if (min.compareTo(DriftCheck.MIN_EVERY) < 0 || min.compareTo(DriftCheck.MAX_EVERY) > 0) {
            throw new IllegalArgumentException("must be from " + DriftCheck.format(DriftCheck.MIN_EVERY) + " to "
                    + DriftCheck.format(DriftCheck.MAX_EVERY));
        }
        return min;
    }

    /**
     * Where quiet hours must leave time for a check: a winter and a summer week, so daylight-saving
     * offsets of either kind are tried.
     */
    private static final List<Instant> QUIET_PROBES =
            List.of(Instant.parse("2026-01-05T00:00:00Z"), Instant.parse("2026-07-06T00:00:00Z"));

    /** One load: collects problems while building the model. Not thread-safe. */
    private static final class Reader {
        private final String file;
        private final List<CatalogProblem> problems = new ArrayList<>();
        /** "commands.plan", "environments.prod": entries written but refused, whose problems are already reported. */
        private final Set<String> refused = new HashSet<>();
        /** The shortest {@code every} a drift check may have: the catalog's {@code drift_min_every}, read first. */
        private Duration driftMinEvery = DriftCheck.DEFAULT_MIN_EVERY;

        Reader(String file) {
            this.file = file;
        }

        Optional<Catalog> catalog(Sha256Digest version, byte[] content) {
            if (content.length > MAX_BYTES) {
                problem(null, "", "the catalog is larger than " + MAX_BYTES + " bytes");
                return Optional.empty();
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(content)).toString();
            } catch (CharacterCodingException e) {
                problem(null, "", "the catalog is not valid UTF-8");
                return Optional.empty();
            }
            Optional<Node> root;
            try {
                LoadSettings settings = LoadSettings.builder()
                        .setLabel(file)
                        .setAllowDuplicateKeys(false)
                        .setAllowRecursiveKeys(false)
                        .setMaxAliasesForCollections(10)
                        .setCodePointLimit(MAX_BYTES)
                        .build();
                root = new Compose(settings).composeString(text);
            } catch (MarkedYamlEngineException e) {
                Location location = e.getProblemMark().map(this::location).orElse(new Location(file, 0, 0));
                // the context mark is where the construct the parser was in began: an unclosed quote's
                // opening, a mapping whose indentation a later line breaks; the problem mark alone is
                // often the end of the file
                String context = e.getContext() == null || e.getContextMark().isEmpty() ? ""
                        : ", " + e.getContext() + " that starts at " + e.getContextMark().map(this::location)
                                .map(start -> start.line() + ":" + start.column()).orElseThrow();
                problems.add(new CatalogProblem(location, "", "not valid YAML: " + e.getProblem() + context));
                return Optional.empty();
            } catch (YamlEngineException e) {
                problem(null, "", "not valid YAML");
                return Optional.empty();
            }
            if (root.isEmpty()) {
                return Optional.empty();
            }
            Map<String, Node> top = mapping(root.get(), "",
                    Set.of("version", "environments", "commands", "repos", "drift_min_every"),
                    Set.of("version", "environments", "commands", "repos"));
            if (top.containsKey("version")) {
                integer(top.get("version"), "version", 1, 1);
            }
            if (top.containsKey("drift_min_every")) {
                driftMinEvery = parsed(top.get("drift_min_every"), "drift_min_every", CatalogLoader::driftMinEvery)
                        .orElse(DriftCheck.DEFAULT_MIN_EVERY);
            }
            Map<CatalogName, Environment> environments = named(top.get("environments"), "environments", this::environment);
            Map<CatalogName, Command> commands = named(top.get("commands"), "commands", this::command);
            Map<CatalogName, Repo> repos = new LinkedHashMap<>();
            List<Node> repoNodes = sequence(top.get("repos"), "repos", MAX_REPOS);
            for (int i = 0; i < repoNodes.size(); i++) {
                String field = "repos[" + i + "]";
                Node node = repoNodes.get(i);
                repo(node, field, environments, commands).ifPresent(repo -> {
                    if (repos.putIfAbsent(repo.name(), repo) != null) {
                        problem(node, field + ".name", "repo '" + repo.name() + "' is defined twice");
                    }
                });
            }
            return problems.isEmpty()
                    ? Optional.of(new Catalog(version, text, environments, commands, repos))
                    : Optional.empty();
        }

        private Optional<Environment> environment(CatalogName name, Node node, String field) {
            Map<String, Node> fields = mapping(node, field, Set.of("approvals", "change_windows"), Set.of());
            int approvals = fields.containsKey("approvals") ? integer(fields.get("approvals"), field + ".approvals", 0, 10) : 0;
            List<ChangeWindow> windows = parsedList(fields.get("change_windows"), field + ".change_windows", ChangeWindow::parse);
            return Optional.of(new Environment(name, approvals, windows));
        }

        private Optional<Command> command(CatalogName name, Node node, String field) {
            int before = problems.size();
            Map<String, Node> fields = mapping(node, field, Set.of("argv", "steps", "env", "timeout", "summary", "produces",
                    "requires_plan", "changes_infrastructure"), Set.of());
            List<CommandStep> steps = steps(node, fields, field);
            Map<String, String> env = env(fields.get("env"), field + ".env");
            Duration timeout = fields.containsKey("timeout")
                    ? parsed(fields.get("timeout"), field + ".timeout", CatalogLoader::timeout).orElse(Duration.ZERO)
                    : Duration.ZERO;
            String produces = "";
            if (fields.containsKey("produces")) {
                produces = string(fields.get("produces"), field + ".produces").orElse("");
                if (!produces.matches("[A-Za-z0-9._-]{1,255}") || produces.chars().allMatch(c -> c == '.')) {
                    problem(fields.get("produces"), field + ".produces",
                            "must be a plain file name (letters, digits, '.', '_', '-'), not a path");
                }
            }
            PlanSummaryTool summary = PlanSummaryTool.NONE;
            if (fields.containsKey("summary")) {
                summary = parsed(fields.get("summary"), field + ".summary", PlanSummaryTool::parse).orElse(PlanSummaryTool.NONE);
                if (!fields.containsKey("produces")) {
                    problem(fields.get("summary"), field + ".summary",
                            "needs produces: a summary is derived from the plan file the command produces");
                }
            }
            boolean requiresPlan = bool(fields.get("requires_plan"), field + ".requires_plan");
            boolean changes = bool(fields.get("changes_infrastructure"), field + ".changes_infrastructure");
            if (steps.isEmpty() || problems.size() > before) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Command(name, steps, env, timeout, produces, summary, requiresPlan, changes));
            } catch (IllegalArgumentException e) {
                // every part was checked where it is written; this is what no part alone shows
                problem(node, field, e.getMessage());
                return Optional.empty();
            }
        }

        /** {@code argv:} (one step) or {@code steps:} (a list of argv lists); empty after a problem. */
        private List<CommandStep> steps(Node node, Map<String, Node> fields, String field) {
            boolean argv = fields.containsKey("argv");
            boolean steps = fields.containsKey("steps");
            if (argv && steps) {
                problem(fields.get("steps"), field + ".steps",
                        "give either argv: (one step) or steps: (several), not both");
                return List.of();
            }
            if (!argv && !steps) {
                problem(node, field + ".argv", "is required: give argv: (one step) or steps: (a list of argv lists)");
                return List.of();
            }
            if (argv) {
                return step(fields.get("argv"), field + ".argv").stream().toList();
            }
            Node stepsNode = fields.get("steps");
            List<Node> items = sequence(stepsNode, field + ".steps", Command.MAX_STEPS);
            if (items.isEmpty()) {
                if (stepsNode instanceof SequenceNode sequence && sequence.getValue().isEmpty()) {
                    problem(stepsNode, field + ".steps", "must list at least one step");
                }
                return List.of();
            }
            List<CommandStep> result = new ArrayList<>();
            boolean complete = true;
            for (int i = 0; i < items.size(); i++) {
                Optional<CommandStep> step = step(items.get(i), field + ".steps[" + i + "]");
                step.ifPresent(result::add);
                complete &= step.isPresent();
            }
            return complete ? result : List.of();
        }

        private Optional<CommandStep> step(Node node, String field) {
            int before = problems.size();
            List<String> argv = strings(node, field, MAX_ARGV);
            if (problems.size() > before) {
                return Optional.empty();
            }
            if (argv.isEmpty()) {
                problem(node, field, "must list at least the program to run");
                return Optional.empty();
            }
            for (int i = 0; i < argv.size(); i++) {
                try {
                    Command.checkPlaceholders(argv.get(i));
                } catch (IllegalArgumentException e) {
                    problem(((SequenceNode) node).getValue().get(i), field, e.getMessage());
                    return Optional.empty();
                }
            }
            return Optional.of(CommandStep.of(argv));
        }

        private Map<String, String> env(Node node, String field) {
            Map<String, String> result = new LinkedHashMap<>();
            if (node == null) {
                return result;
            }
            Map<String, Node> entries = mapping(node, field, null, Set.of());
            if (entries.size() > Command.MAX_ENV) {
                problem(node, field, "must set at most " + Command.MAX_ENV + " variables");
                return result;
            }
            Map<String, Node> keys = new LinkedHashMap<>();
            if (node instanceof MappingNode mappingNode) {
                // mapping() above reported keys that are not plain values; only their places are needed here
                mappingNode.getValue().stream().filter(tuple -> tuple.getKeyNode() instanceof ScalarNode)
                        .forEach(tuple -> keys.putIfAbsent(((ScalarNode) tuple.getKeyNode()).getValue(), tuple.getKeyNode()));
            }
            entries.forEach((variable, valueNode) -> {
                String entryField = field + "." + variable;
                try {
                    Command.checkEnvName(variable);
                } catch (IllegalArgumentException e) {
                    problem(keys.getOrDefault(variable, valueNode), entryField, e.getMessage());
                    return;
                }
                string(valueNode, entryField).ifPresent(value -> {
                    try {
                        Command.checkEnvValue(value);
                        result.put(variable, value);
                    } catch (IllegalArgumentException e) {
                        problem(valueNode, entryField, e.getMessage());
                    }
                });
            });
            return result;
        }

        private Optional<Repo> repo(Node node, String field, Map<CatalogName, Environment> environments,
                Map<CatalogName, Command> commands) {
            Map<String, Node> fields = mapping(node, field,
                    Set.of("name", "url", "folders", "callers", "rules", "secrets", "drift"),
                    Set.of("name", "url", "folders", "callers", "rules"));
            Optional<CatalogName> name = parsed(fields.get("name"), field + ".name", CatalogName::new);
            Optional<String> url = string(fields.get("url"), field + ".url");
            url.ifPresent(u -> {
                if (u.length() > 2048 || !(u.startsWith("https://") || u.startsWith("ssh://") || u.startsWith("file:///")
                        || u.startsWith("/")) || u.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                    problem(fields.get("url"), field + ".url",
                            "must be an https://, ssh:// or file:/// URL (or an absolute local path) without spaces");
                }
            });
            List<FolderPattern> folders = parsedList(fields.get("folders"), field + ".folders", FolderPattern::new);
            List<IdentityPattern> callers = parsedList(fields.get("callers"), field + ".callers", IdentityPattern::new);
            List<Rule> rules = new ArrayList<>();
            int beforeRules = problems.size();
            List<Node> ruleNodes = sequence(fields.get("rules"), field + ".rules", MAX_LIST);
            for (int i = 0; i < ruleNodes.size(); i++) {
                rule(ruleNodes.get(i), field + ".rules[" + i + "]", i, environments, commands).ifPresent(rules::add);
            }
            // with a rule refused, "no rule admits this drift check" would only repeat its problems
            boolean rulesComplete = problems.size() == beforeRules;
            Map<CatalogName, Map<CatalogName, List<SecretGrant>>> secrets = new LinkedHashMap<>();
            if (fields.containsKey("secrets")) {
                Map<String, Node> byEnvironment = mapping(fields.get("secrets"), field + ".secrets", null, Set.of());
                byEnvironment.forEach((environmentName, commandsNode) -> {
                    String environmentField = field + ".secrets." + environmentName;
                    Optional<CatalogName> environment = reference(commandsNode, environmentField, environmentName,
                            environments.keySet(), "environment");
                    Map<CatalogName, List<SecretGrant>> byCommand = new LinkedHashMap<>();
                    mapping(commandsNode, environmentField, null, Set.of()).forEach((commandName, grantsNode) -> {
                        String commandField = environmentField + "." + commandName;
                        Optional<CatalogName> command = reference(grantsNode, commandField, commandName,
                                commands.keySet(), "command");
                        List<SecretGrant> grants = parsedList(grantsNode, commandField, SecretGrant::parse);
                        command.ifPresent(c -> byCommand.put(c, grants));
                    });
                    environment.ifPresent(e -> secrets.put(e, Map.copyOf(byCommand)));
                });
            }
            List<DriftCheck> drift = new ArrayList<>();
            Map<String, Integer> driftTargets = new HashMap<>();
            List<Node> driftNodes = sequence(fields.get("drift"), field + ".drift", MAX_LIST);
            for (int i = 0; i < driftNodes.size(); i++) {
                String checkField = field + ".drift[" + i + "]";
                Node checkNode = driftNodes.get(i);
                int index = i;
                driftCheck(checkNode, checkField, folders, rules, rulesComplete, environments, commands).ifPresent(check -> {
                    for (RepoFolder folder : check.folders()) {
                        for (CatalogName environment : check.environments()) {
                            Integer first = driftTargets.putIfAbsent(folder + "\n" + environment, index);
                            if (first != null) {
                                problem(checkNode, checkField, "folder '" + folder + "' in environment '" + environment
                                        + "' is already checked by drift[" + first + "]; a target has one schedule");
                            }
                        }
                    }
                    drift.add(check);
                });
            }
            if (name.isEmpty() || url.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Repo(name.get(), url.get(), folders, callers, rules, secrets, drift));
        }

        private Optional<DriftCheck> driftCheck(Node node, String field, List<FolderPattern> repoFolders,
                List<Rule> rules, boolean rulesComplete, Map<CatalogName, Environment> environments,
                Map<CatalogName, Command> commands) {
            int before = problems.size();
            Map<String, Node> fields = mapping(node, field,
                    Set.of("folders", "environments", "command", "every", "ref", "jitter", "quiet_hours"),
                    Set.of("folders", "environments", "command", "every"));
            List<RepoFolder> folders = driftFolders(fields.get("folders"), field + ".folders", repoFolders);
            List<CatalogName> checkEnvironments = references(fields.get("environments"), field + ".environments",
                    environments.keySet(), "environment").stream().sorted(Comparator.comparing(CatalogName::value)).toList();
            Node commandNode = fields.get("command");
            Optional<Command> command = string(commandNode, field + ".command")
                    .flatMap(text -> reference(commandNode, field + ".command", text, commands.keySet(), "command"))
                    .map(commands::get);
            command.ifPresent(c -> driftCommand(commandNode, field + ".command", c));
            Optional<Duration> every = parsed(fields.get("every"), field + ".every",
                    text -> driftEvery(text, driftMinEvery));
            Duration jitter = every.map(DriftCheck::defaultJitter).orElse(Duration.ZERO);
            if (fields.containsKey("jitter")) {
                Optional<Duration> written = parsed(fields.get("jitter"), field + ".jitter", DriftCheck::parseDuration);
                if (written.isPresent() && every.isPresent() && written.get().compareTo(every.get().dividedBy(2)) > 0) {
                    problem(fields.get("jitter"), field + ".jitter", "must be at most half of every ("
                            + DriftCheck.format(every.get().dividedBy(2)) + "), so a check is never put off by more");
                }
                jitter = written.orElse(jitter);
            }
            GitRef ref = fields.containsKey("ref")
                    ? parsed(fields.get("ref"), field + ".ref", GitRef::new).orElse(DriftCheck.DEFAULT_REF)
                    : DriftCheck.DEFAULT_REF;
            int beforeQuiet = problems.size();
            List<ChangeWindow> quietHours = parsedList(fields.get("quiet_hours"), field + ".quiet_hours", ChangeWindow::parse);
            if (!quietHours.isEmpty() && problems.size() == beforeQuiet
                    && QUIET_PROBES.stream().anyMatch(probe -> DriftSchedule.leaveQuietHours(quietHours, probe).isEmpty())) {
                problem(fields.get("quiet_hours"), field + ".quiet_hours",
                        "leave no time in a week for the check to run");
            }
            if (problems.size() > before || command.isEmpty() || every.isEmpty()) {
                return Optional.empty();
            }
            // only what the catalog alone settles: callers and when: conditions are for the decision
            for (RepoFolder folder : rulesComplete ? folders : List.<RepoFolder>of()) {
                for (CatalogName environment : checkEnvironments) {
                    if (rules.stream().noneMatch(rule -> admits(rule, command.get().name(), environment, ref, folder))) {
                        problem(node, field, "no rule of this repo lets command '" + command.get().name() + "' run in"
                                + " environment '" + environment + "' for " + ref + " and folder '" + folder
                                + "'; a drift check is decided like any run");
                    }
                }
            }
            if (problems.size() > before) {
                return Optional.empty();
            }
            return Optional.of(new DriftCheck(folders, checkEnvironments, command.get().name(), ref, every.get(), jitter,
                    quietHours, location(node)));
        }

        /** Concrete folders, each within the repo's folder patterns. */
        private List<RepoFolder> driftFolders(Node node, String field, List<FolderPattern> repoFolders) {
            List<RepoFolder> result = new ArrayList<>();
            List<Node> items = sequence(node, field, MAX_LIST);
            if (node != null && items.isEmpty() && node instanceof SequenceNode) {
                problem(node, field, "must name at least one folder");
            }
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                String itemField = field + "[" + i + "]";
                string(item, itemField).ifPresent(text -> {
                    if (text.contains("*")) {
                        problem(item, itemField, "must be a folder, not a pattern: a drift check plans exactly the"
                                + " folders it lists, e.g. prod/network");
                        return;
                    }
                    RepoFolder folder;
                    try {
                        folder = RepoFolder.parse(text);
                    } catch (IllegalArgumentException e) {
                        problem(item, itemField, e.getMessage());
                        return;
                    }
                    if (!folder.value().equals(text)) {
                        problem(item, itemField, "must be written normalised, as '" + folder + "'");
                    } else if (repoFolders.stream().noneMatch(pattern -> pattern.matches(folder))) {
                        problem(item, itemField, "folder '" + folder + "' is not among the repo's folders " + repoFolders);
                    } else {
                        result.add(folder);
                    }
                });
            }
            return result;
        }

        /** Fail closed: a drift check runs a plan that changes nothing and whose summary shows drift. */
        private void driftCommand(Node node, String field, Command command) {
            String name = "command '" + command.name() + "'";
            if (command.changesInfrastructure()) {
                problem(node, field, name + " changes infrastructure; a drift check only plans");
            } else if (command.requiresPlan()) {
                problem(node, field, name + " applies a plan (requires_plan: true); a drift check only plans");
            } else if (command.produces().isEmpty()) {
                problem(node, field, name + " produces no plan (no produces:); a drift check reads the plan it writes");
            } else if (command.summary() == PlanSummaryTool.NONE) {
                problem(node, field, name + " has no summary:; drift is read from the plan summary, so a check"
                        + " without one could never see it");
            }
        }

        private static boolean admits(Rule rule, CatalogName command, CatalogName environment, GitRef ref, RepoFolder folder) {
            return rule.covers(command, environment)
                    && rule.refs().stream().anyMatch(pattern -> pattern.matches(ref))
                    && (rule.folders().isEmpty() || rule.folders().stream().anyMatch(pattern -> pattern.matches(folder)));
        }

        private Optional<Rule> rule(Node node, String field, int index, Map<CatalogName, Environment> environments,
                Map<CatalogName, Command> commands) {
            Map<String, Node> fields = mapping(node, field,
                    Set.of("commands", "refs", "environments", "folders", "when", "deny_when", "approvals_when"),
                    Set.of("commands", "refs", "environments"));
            Set<CatalogName> ruleCommands = references(fields.get("commands"), field + ".commands", commands.keySet(), "command");
            Set<CatalogName> ruleEnvironments = references(fields.get("environments"), field + ".environments",
                    environments.keySet(), "environment");
            List<RefPattern> refs = parsedList(fields.get("refs"), field + ".refs", RefPattern::new);
            List<FolderPattern> folders = parsedList(fields.get("folders"), field + ".folders", FolderPattern::new);
            List<CelCondition> conditions = new ArrayList<>();
            Node when = fields.get("when");
            if (when instanceof ScalarNode) {
                parsed(when, field + ".when", CelCondition::compile).ifPresent(conditions::add);
            } else if (when != null) {
                conditions.addAll(parsedList(when, field + ".when", CelCondition::compile));
            }
            List<PlanRule.Deny> denyWhen = new ArrayList<>();
            List<Node> denyNodes = sequence(fields.get("deny_when"), field + ".deny_when", MAX_LIST);
            for (int i = 0; i < denyNodes.size(); i++) {
                String entryField = field + ".deny_when[" + i + "]";
                Node entry = denyNodes.get(i);
                Map<String, Node> parts = mapping(entry, entryField, Set.of("when", "reason"), Set.of("when", "reason"));
                Optional<PlanCondition> condition = parsed(parts.get("when"), entryField + ".when", PlanCondition::compile);
                Optional<String> reason = string(parts.get("reason"), entryField + ".reason");
                reason.filter(String::isBlank).ifPresent(blank -> problem(parts.get("reason"), entryField + ".reason",
                        "must say why, in words the denial shows"));
                if (condition.isPresent() && reason.isPresent() && !reason.get().isBlank()) {
                    denyWhen.add(new PlanRule.Deny(condition.get(), reason.get(), location(entry)));
                }
            }
            List<PlanRule.Approvals> approvalsWhen = new ArrayList<>();
            List<Node> approvalNodes = sequence(fields.get("approvals_when"), field + ".approvals_when", MAX_LIST);
            for (int i = 0; i < approvalNodes.size(); i++) {
                String entryField = field + ".approvals_when[" + i + "]";
                Node entry = approvalNodes.get(i);
                Map<String, Node> parts = mapping(entry, entryField, Set.of("when", "approvals"), Set.of("when", "approvals"));
                Optional<PlanCondition> condition = parsed(parts.get("when"), entryField + ".when", PlanCondition::compile);
                int before = problems.size();
                int approvals = parts.containsKey("approvals") ? integer(parts.get("approvals"), entryField + ".approvals", 1, 10) : 1;
                if (condition.isPresent() && problems.size() == before) {
                    approvalsWhen.add(new PlanRule.Approvals(condition.get(), approvals, location(entry)));
                }
            }
            boolean planRules = fields.containsKey("deny_when") || fields.containsKey("approvals_when");
            if (planRules && !ruleCommands.isEmpty()
                    && ruleCommands.stream().map(commands::get).noneMatch(command -> command != null && command.requiresPlan())) {
                Node at = fields.containsKey("deny_when") ? fields.get("deny_when") : fields.get("approvals_when");
                problem(at, field + (fields.containsKey("deny_when") ? ".deny_when" : ".approvals_when"),
                        "plan rules apply only to commands with requires_plan: true, and none of this rule's commands "
                                + new java.util.TreeSet<>(ruleCommands.stream().map(CatalogName::value).toList()) + " has it");
            }
            return Optional.of(new Rule(index, location(node), ruleCommands, refs, ruleEnvironments, folders, conditions,
                    denyWhen, approvalsWhen));
        }

        private <T> Map<CatalogName, T> named(Node node, String field, NamedParser<T> parser) {
            Map<CatalogName, T> result = new LinkedHashMap<>();
            if (node == null) {
                return result;
            }
            mapping(node, field, null, Set.of()).forEach((key, value) -> {
                String itemField = field + "." + key;
                try {
                    CatalogName name = new CatalogName(key);
                    parser.parse(name, value, itemField).ifPresentOrElse(item -> result.put(name, item),
                            () -> refused.add(itemField));
                } catch (IllegalArgumentException e) {
                    problem(value, itemField, "name " + e.getMessage());
                }
            });
            return result;
        }

        private interface NamedParser<T> {
            Optional<T> parse(CatalogName name, Node node, String field);
        }

        private Set<CatalogName> references(Node node, String field, Set<CatalogName> known, String kind) {
            Set<CatalogName> result = new HashSet<>();
            List<Node> items = sequence(node, field, MAX_LIST);
            for (int i = 0; i < items.size(); i++) {
                Node item = items.get(i);
                String itemField = field + "[" + i + "]";
                string(item, itemField)
                        .flatMap(text -> reference(item, itemField, text, known, kind))
                        .ifPresent(result::add);
            }
            if (node != null && items.isEmpty() && node instanceof SequenceNode) {
                problem(node, field, "must name at least one " + kind);
            }
            return result;
        }

        private Optional<CatalogName> reference(Node node, String field, String text, Set<CatalogName> known, String kind) {
            try {
                CatalogName name = new CatalogName(text);
                if (!known.contains(name)) {
                    // a reference to an entry refused for its own problems would only repeat them
                    if (!refused.contains(kind + "s." + text)) {
                        problem(node, field, "unknown " + kind + " '" + text + "'");
                    }
                    return Optional.empty();
                }
                return Optional.of(name);
            } catch (IllegalArgumentException e) {
                problem(node, field, kind + " name " + e.getMessage());
                return Optional.empty();
            }
        }

        /** The keys of a mapping; reports unknown, missing and duplicate keys. {@code allowed} null: any. */
        private Map<String, Node> mapping(Node node, String field, Set<String> allowed, Set<String> required) {
            Map<String, Node> result = new LinkedHashMap<>();
            if (!plain(node, field)) {
                return result;
            }
            if (!(node instanceof MappingNode mapping)) {
                problem(node, field, "must be a mapping");
                return result;
            }
            for (NodeTuple tuple : mapping.getValue()) {
                Optional<String> key = string(tuple.getKeyNode(), field);
                if (key.isEmpty()) {
                    continue;
                }
                String keyField = field.isEmpty() ? key.get() : field + "." + key.get();
                if (allowed != null && !allowed.contains(key.get())) {
                    problem(tuple.getKeyNode(), keyField, "unknown field '" + key.get() + "'; allowed: " + new java.util.TreeSet<>(allowed));
                } else if (result.put(key.get(), tuple.getValueNode()) != null) {
                    problem(tuple.getKeyNode(), keyField, "is given twice");
                }
            }
            for (String key : new java.util.TreeSet<>(required)) {
                if (!result.containsKey(key)) {
                    problem(node, field.isEmpty() ? key : field + "." + key, "is required");
                }
            }
            return result;
        }

        private List<Node> sequence(Node node, String field, int max) {
            if (node == null || !plain(node, field)) {
                return List.of();
            }
            if (!(node instanceof SequenceNode sequence)) {
                problem(node, field, "must be a list");
                return List.of();
            }
            if (sequence.getValue().size() > max) {
                problem(node, field, "must have at most " + max + " entries");
                return List.of();
            }
            return sequence.getValue();
        }

        private List<String> strings(Node node, String field, int max) {
            List<String> result = new ArrayList<>();
            List<Node> items = sequence(node, field, max);
            for (int i = 0; i < items.size(); i++) {
                string(items.get(i), field + "[" + i + "]").ifPresent(result::add);
            }
            return result;
        }

        private <T> List<T> parsedList(Node node, String field, Function<String, T> parser) {
            List<T> result = new ArrayList<>();
            List<Node> items = sequence(node, field, MAX_LIST);
            for (int i = 0; i < items.size(); i++) {
                parsed(items.get(i), field + "[" + i + "]", parser).ifPresent(result::add);
            }
            return result;
        }

        private <T> Optional<T> parsed(Node node, String field, Function<String, T> parser) {
            return string(node, field).flatMap(text -> {
                try {
                    return Optional.of(parser.apply(text));
                } catch (IllegalArgumentException e) {
                    problem(node, field, e.getMessage());
                    return Optional.empty();
                }
            });
        }

        private Optional<String> string(Node node, String field) {
            if (node == null || !plain(node, field)) {
                return Optional.empty();
            }
            if (!(node instanceof ScalarNode scalar)) {
                problem(node, field, "must be a single value");
                return Optional.empty();
            }
            String value = scalar.getValue();
            if (value.length() > MAX_STRING) {
                problem(node, field, "must be at most " + MAX_STRING + " characters");
                return Optional.empty();
            }
            if (value.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                problem(node, field, "must not contain control characters");
                return Optional.empty();
            }
            return Optional.of(value);
        }

        private int integer(Node node, String field, int min, int max) {
            Optional<String> text = string(node, field);
            if (text.isPresent()) {
                try {
                    int value = Integer.parseInt(text.get());
                    if (value >= min && value <= max) {
                        return value;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                problem(node, field, min == max ? "must be " + min : "must be a whole number from " + min + " to " + max);
            }
            return min;
        }

        private boolean bool(Node node, String field) {
            if (node == null) {
                return false;
            }
            Optional<String> text = string(node, field);
            if (text.isPresent() && (text.get().equals("true") || text.get().equals("false"))) {
                return Boolean.parseBoolean(text.get());
            }
            text.ifPresent(t -> problem(node, field, "must be true or false"));
            return false;
        }

        /** Refuses anchors, aliases and explicit custom tags. */
        private boolean plain(Node node, String field) {
            if (node.getAnchor().isPresent()) {
                problem(node, field, "YAML anchors and aliases are not allowed in the catalog");
                return false;
            }
            String tag = node.getTag().getValue();
            if (!tag.startsWith("tag:yaml.org,2002:")) {
                problem(node, field, "custom YAML tags are not allowed");
                return false;
            }
            return true;
        }

        private void problem(Node node, String field, String message) {
            problems.add(new CatalogProblem(node == null ? new Location(file, 0, 0) : location(node), field, message));
        }

        private Location location(Node node) {
            return node.getStartMark().map(this::location).orElse(new Location(file, 0, 0));
        }

        private Location location(Mark mark) {
            return new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
        }
    }
}
