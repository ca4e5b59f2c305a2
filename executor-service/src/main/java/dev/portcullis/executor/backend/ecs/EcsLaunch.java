package dev.portcullis.executor.backend.ecs;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.RunId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What to launch: everything already resolved and validated by the caller.
 *
 * <p>{@link #toString()} names the environment variables but never their values (secrets become
 * environment overrides) and counts the command's arguments without printing them.
 *
 * @param runId the run, a UUID in lowercase canonical form; at most one task is ever launched per run id
 * @param command the container command override, one argument per element; no shell is involved
 * @param environment environment overrides of the container, by variable name; carries secret values
 * @param timeout how long the task may take from its launch; then it is stopped and reported timed out
 */
public record EcsLaunch(String runId, List<String> command, Map<String, String> environment, Duration timeout) {
    /**
     * What ECS allows for a RunTask's overrides, counted over their JSON, formatting included
     * ("container overrides length must be at most 8192").
     */
    public static final int MAX_OVERRIDE_CHARACTERS = 8192;
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

    public EcsLaunch {
        new RunId(requireNonNull(runId, "runId is null"));
        command = List.copyOf(requireNonNull(command, "command is null"));
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must have at least one argument");
        }
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        for (String name : environment.keySet()) {
            if (!VARIABLE_NAME.matcher(name).matches()) {
                // the name is safe to quote: only values are secret
                throw new IllegalArgumentException("environment variable name is not valid: " + name);
            }
        }
        requireNonNull(timeout, "timeout is null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    /**
     * The length of the overrides this launch sends for {@code containerName}, as ECS counts them:
     * {@code {"containerOverrides":[{"name":…,"command":[…],"environment":[{"name":…,"value":…},…]}]}}.
     */
    public int overrideCharacters(String containerName) {
        long length = "{'containerOverrides':[{'name':,'command':[],'environment':[]}]}".length() + json(containerName);
        length += command.stream().mapToLong(argument -> json(argument) + 1).sum() - (command.isEmpty() ? 0 : 1);
        length += environment.entrySet().stream()
                .mapToLong(e -> "{'name':,'value':}".length() + json(e.getKey()) + json(e.getValue()) + 1).sum()
                - (environment.isEmpty() ? 0 : 1);
        return (int) Math.min(Integer.MAX_VALUE, length);
    }

    /** A JSON string's length, quotes and escapes included. */
    private static long json(String text) {
        long length = 2;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            length += c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f' ? 2 : c < 0x20 ? 6 : 1;
        }
        return length;
    }

    @Override
    public String toString() {
        return "EcsLaunch[runId=" + runId + ", command=<" + command.size() + " arguments>, environment="
                + new TreeSet<>(environment.keySet()) + ", timeout=" + timeout + "]";
    }
}
