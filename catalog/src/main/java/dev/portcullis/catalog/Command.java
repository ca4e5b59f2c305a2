package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CatalogName;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A predefined command: an argv template run without a shell. Arguments may contain the
 * placeholders {@code ${repo}}, {@code ${environment}}, {@code ${folder}}, {@code ${command}} and
 * {@code ${commit_sha}}, filled with the run's validated values; callers add nothing.
 *
 * @param produces file the command writes for a later run (e.g. {@code plan.tfplan}); empty for none
 * @param requiresPlan true when the command applies a plan produced by an earlier run
 * @param changesInfrastructure true when environment approvals and change windows apply to it
 */
public record Command(CatalogName name, List<String> argv, String produces, boolean requiresPlan,
        boolean changesInfrastructure) {
    /** The placeholders an argv template may use. */
    public static final List<String> PLACEHOLDERS = List.of("repo", "environment", "folder", "command", "commit_sha");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    public Command {
        requireNonNull(name, "name is null");
        argv = List.copyOf(argv);
        requireNonNull(produces, "produces is null");
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must not be empty");
        }
        for (String argument : argv) {
            Matcher matcher = PLACEHOLDER.matcher(argument);
            while (matcher.find()) {
                if (!PLACEHOLDERS.contains(matcher.group(1))) {
                    throw new IllegalArgumentException("unknown placeholder ${" + matcher.group(1)
                            + "}; allowed: " + PLACEHOLDERS);
                }
            }
        }
    }

    /** The values placeholders are filled with; all validated request values. */
    public record Placeholders(String repo, String environment, String folder, String command, String commitSha) {}

    /** The argv with its placeholders filled. */
    public List<String> render(Placeholders values) {
        String[] rendered = new String[argv.size()];
        for (int i = 0; i < rendered.length; i++) {
            String argument = argv.get(i);
            // values are validated names, folders and SHAs: plain text replacement is exact
            rendered[i] = argument.indexOf("${") < 0 ? argument : argument
                    .replace("${repo}", values.repo())
                    .replace("${environment}", values.environment())
                    .replace("${folder}", values.folder())
                    .replace("${command}", values.command())
                    .replace("${commit_sha}", values.commitSha());
        }
        return List.of(rendered);
    }
}
