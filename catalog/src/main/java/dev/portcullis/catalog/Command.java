package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CatalogName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A predefined command: one or more steps, each an argv template run without a shell, in order,
 * in the same checkout and folder. Arguments and environment values may contain the placeholders
 * {@code ${repo}}, {@code ${environment}}, {@code ${folder}}, {@code ${command}} and
 * {@code ${commit_sha}}, filled with the run's validated values; callers add nothing.
 *
 * @param steps the steps in order: one for an {@code argv:} command, at most {@value #MAX_STEPS}
 * @param env environment variables for every step (names {@code [A-Z_][A-Z0-9_]*}, never secrets),
 *     in catalog order
 * @param timeout the command's own timeout; {@link Duration#ZERO} when it has none (the gateway's
 *     default applies)
 * @param produces file the command writes for a later run (e.g. {@code plan.tfplan}); empty for none
 * @param summary the tool whose {@code show -json} the plan summary is derived from; {@code NONE} for none
 * @param requiresPlan true when the command applies a plan produced by an earlier run
 * @param changesInfrastructure true when environment approvals and change windows apply to it
 */
public record Command(CatalogName name, List<CommandStep> steps, Map<String, String> env, Duration timeout,
        String produces, PlanSummaryTool summary, boolean requiresPlan, boolean changesInfrastructure) {
    /** The placeholders an argv template or environment value may use. */
    public static final List<String> PLACEHOLDERS = List.of("repo", "environment", "folder", "command", "commit_sha");
    /** Most steps a command may have. */
    public static final int MAX_STEPS = 16;
    /** Most environment variables a command may set. */
    public static final int MAX_ENV = 64;
    /** Shortest and longest timeout a command may set. */
    public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

    public Command {
        requireNonNull(name, "name is null");
        steps = List.copyOf(steps);
        // catalog order is kept: it is the order people read and the order decisions list them
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        requireNonNull(timeout, "timeout is null");
        requireNonNull(produces, "produces is null");
        requireNonNull(summary, "summary is null");
        if (steps.isEmpty() || steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("a command has 1 to " + MAX_STEPS + " steps");
        }
        for (CommandStep step : steps) {
            step.argv().forEach(Command::checkPlaceholders);
        }
        if (env.size() > MAX_ENV) {
            throw new IllegalArgumentException("a command sets at most " + MAX_ENV + " environment variables");
        }
        env.forEach((variable, value) -> {
            checkEnvName(variable);
            checkEnvValue(value);
        });
        if (!timeout.isZero() && (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException("timeout must be between 1s and 24h");
        }
        if (summary != PlanSummaryTool.NONE && produces.isEmpty()) {
            throw new IllegalArgumentException("summary: needs produces: (the plan file the summary is derived from)");
        }
    }

    /** A one-step command: {@code argv:} in the catalog, no environment, no timeout, no summary. */
    public static Command ofArgv(CatalogName name, List<String> argv, String produces, boolean requiresPlan,
            boolean changesInfrastructure) {
        return new Command(name, List.of(CommandStep.of(argv)), Map.of(), Duration.ZERO, produces, PlanSummaryTool.NONE,
                requiresPlan, changesInfrastructure);
    }

    /** The values placeholders are filled with; all validated request values. */
    public record Placeholders(String repo, String environment, String folder, String command, String commitSha) {}

    /** The argv template of a one-step command; empty for a command of several steps. */
    public List<String> argv() {
        return steps.size() == 1 ? steps.get(0).argv() : List.of();
    }

    /** The steps with their placeholders filled. */
    public List<CommandStep> render(Placeholders values) {
        List<CommandStep> rendered = new ArrayList<>(steps.size());
        for (CommandStep step : steps) {
            List<String> argv = new ArrayList<>(step.argv().size());
            step.argv().forEach(argument -> argv.add(fill(argument, values)));
            rendered.add(new CommandStep(argv, step.detailedExitcode()));
        }
        return List.copyOf(rendered);
    }

    /** The environment with its placeholders filled, in catalog order. */
    public Map<String, String> renderEnv(Placeholders values) {
        if (env.isEmpty()) {
            return env;
        }
        Map<String, String> rendered = new LinkedHashMap<>();
        env.forEach((variable, value) -> rendered.put(variable, fill(value, values)));
        return Collections.unmodifiableMap(rendered);
    }

    /**
     * @throws IllegalArgumentException for a placeholder other than {@link #PLACEHOLDERS}
     */
    static void checkPlaceholders(String template) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        while (matcher.find()) {
            if (!PLACEHOLDERS.contains(matcher.group(1))) {
                throw new IllegalArgumentException("unknown placeholder ${" + matcher.group(1) + "}; allowed: " + PLACEHOLDERS);
            }
        }
    }

    /** @throws IllegalArgumentException unless {@code variable} is {@code [A-Z_][A-Z0-9_]*}, at most 255 characters */
    static void checkEnvName(String variable) {
        if (variable.length() > 255 || !ENV_NAME.matcher(variable).matches()) {
            throw new IllegalArgumentException("environment variable names are upper-case letters, digits and '_',"
                    + " not starting with a digit (at most 255)");
        }
    }

    /**
     * @throws IllegalArgumentException for a value over 4096 bytes, with an unknown placeholder, or
     *     that looks like a credential (the message never repeats the value)
     */
    static void checkEnvValue(String value) {
        if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 4096) {
            throw new IllegalArgumentException("an environment value is at most 4096 bytes");
        }
        checkPlaceholders(value);
        SecretLookingText.kind(value).ifPresent(kind -> {
            throw new IllegalArgumentException("looks like " + kind + "; secrets belong in the repo's secrets: grants,"
                    + " never in the catalog");
        });
    }

    private static String fill(String template, Placeholders values) {
        // values are validated names, folders and SHAs: plain text replacement is exact
        return template.indexOf("${") < 0 ? template : template
                .replace("${repo}", values.repo())
                .replace("${environment}", values.environment())
                .replace("${folder}", values.folder())
                .replace("${command}", values.command())
                .replace("${commit_sha}", values.commitSha());
    }
}
