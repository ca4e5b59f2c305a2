package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of a repo's {@code drift:} list as the catalog declares it: plan {@code command} of
 * {@code ref}'s head in each of {@code folders} for each of {@code environments}, every
 * {@code every}, to see whether what runs still matches the code. Each folder and environment pair
 * is one {@link DriftTarget}. Immutable.
 *
 * <p>Folders are concrete folders, never patterns: a drift check plans exactly the folders it
 * lists, and the catalog cannot know which folders a pattern would match at some future commit.
 *
 * @param folders the folders to check, each within the repo's folders; never empty
 * @param environments the environments to check them in, ordered by name; never empty
 * @param command a command that produces a plan with a summary and changes nothing
 * @param ref the full ref whose head is checked
 * @param every how long from one check's start to the next, before jitter; from the catalog's
 *     {@code drift_min_every} (5m unless it says otherwise, never below {@link #MIN_EVERY}) to 7d
 * @param jitter at most how much later than {@code every} a target's checks start, to spread them
 *     out; from zero to half of {@code every}
 * @param quietHours when no check starts; a check due then starts when they end
 * @param location where the entry is written
 */
public record DriftCheck(List<RepoFolder> folders, List<CatalogName> environments, CatalogName command, GitRef ref,
        Duration every, Duration jitter, List<ChangeWindow> quietHours, Location location) {
    /** The ref checked when a drift check names none. */
    public static final GitRef DEFAULT_REF = new GitRef("refs/heads/main");
    /**
     * Shortest {@code every} a catalog allows unless its {@code drift_min_every} says otherwise: a
     * check is a whole plan run, with its provider calls and its cost.
     */
    public static final Duration DEFAULT_MIN_EVERY = Duration.ofMinutes(5);
    /**
     * Shortest {@code every} any catalog may allow ({@code drift_min_every}'s own lower bound): a
     * plan takes seconds, so checks any closer together would only wait behind each other.
     */
    public static final Duration MIN_EVERY = Duration.ofSeconds(10);
    /** Longest {@code every}: drift older than a week is found too late to be worth the name. */
    public static final Duration MAX_EVERY = Duration.ofDays(7);
    private static final Pattern DURATION =
            Pattern.compile("(?:([0-9]{1,3})d)?(?:([0-9]{1,4})h)?(?:([0-9]{1,6})m)?(?:([0-9]{1,7})s)?");

    /**
     * @throws IllegalArgumentException for empty folders or environments, {@code every} outside its
     *     bounds, or {@code jitter} negative or above half of {@code every}
     */
    public DriftCheck {
        folders = List.copyOf(folders);
        environments = List.copyOf(environments);
        requireNonNull(command, "command is null");
        requireNonNull(ref, "ref is null");
        checkTiming(every, jitter);
        quietHours = List.copyOf(quietHours);
        requireNonNull(location, "location is null");
        if (folders.isEmpty() || environments.isEmpty()) {
            throw new IllegalArgumentException("a drift check names at least one folder and one environment");
        }
    }

    /** The jitter of a check that sets none: a tenth of {@code every}, in whole seconds. */
    static Duration defaultJitter(Duration every) {
        return Duration.ofSeconds(every.toSeconds() / 10);
    }

    /** The targets this check declares for {@code repo}: each folder (in catalog order) in each environment. */
    public List<DriftTarget> targets(CatalogName repo) {
        List<DriftTarget> targets = new ArrayList<>(folders.size() * environments.size());
        for (RepoFolder folder : folders) {
            for (CatalogName environment : environments) {
                targets.add(new DriftTarget(repo, folder, environment, command, ref, every, jitter, quietHours));
            }
        }
        return List.copyOf(targets);
    }

    /**
     * Reads a duration as the catalog writes it: days, hours, minutes and seconds in that order,
     * each optional, e.g. {@code 30m}, {@code 6h}, {@code 1d}, {@code 1d12h}, {@code 90s}.
     *
     * @throws IllegalArgumentException when {@code text} is not such a duration
     */
    static Duration parseDuration(String text) {
        Matcher matcher = DURATION.matcher(text);
        if (text.isEmpty() || !matcher.matches()) {
            throw new IllegalArgumentException("must be a duration such as 30m, 6h, 1d or 1d12h (units d, h, m, s)");
        }
        Duration duration = Duration.ZERO;
        duration = matcher.group(1) == null ? duration : duration.plusDays(Long.parseLong(matcher.group(1)));
        duration = matcher.group(2) == null ? duration : duration.plusHours(Long.parseLong(matcher.group(2)));
        duration = matcher.group(3) == null ? duration : duration.plusMinutes(Long.parseLong(matcher.group(3)));
        return matcher.group(4) == null ? duration : duration.plusSeconds(Long.parseLong(matcher.group(4)));
    }

    /** {@code duration} as {@link #parseDuration} reads it, e.g. {@code 1d12h}; whole seconds. */
    static String format(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds == 0) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long[] amounts = {seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < amounts.length; i++) {
            if (amounts[i] != 0) {
                text.append(amounts[i]).append(units[i]);
            }
        }
        return text.toString();
    }

    /** Checks the bounds every drift check and target keeps. */
    static void checkTiming(Duration every, Duration jitter) {
        requireNonNull(every, "every is null");
        requireNonNull(jitter, "jitter is null");
        if (every.compareTo(MIN_EVERY) < 0 || every.compareTo(MAX_EVERY) > 0) {
            throw new IllegalArgumentException("every must be from " + format(MIN_EVERY) + " to " + format(MAX_EVERY));
        }
        if (jitter.isNegative() || jitter.compareTo(every.dividedBy(2)) > 0) {
            throw new IllegalArgumentException("jitter must be from 0s to half of every (" + format(every.dividedBy(2)) + ")");
        }
    }
}
