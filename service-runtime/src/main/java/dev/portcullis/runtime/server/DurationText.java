package dev.portcullis.runtime.server;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The bounds of the duration constraints, written as in configuration: {@code 10ms}, {@code 5s}, {@code 5m}, {@code 24h}, {@code 1d}. */
final class DurationText {
    private static final Pattern TEXT = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

    private DurationText() {}

    /** {@code duration} in the largest unit that states it exactly: {@code 0s}, {@code -1s}, {@code 300ms}, {@code 5m}, {@code 2d}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (!duration.equals(Duration.ofMillis(millis))) {
            return duration.toString();
        }
        if (millis == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis % sizes[i] == 0) {
                return millis / sizes[i] + units[i];
            }
        }
        return millis + "ms";
    }

    static Duration parse(String text) {
        Matcher matcher = TEXT.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a duration bound such as 10ms, 5s, 5m, 24h or 1d: " + text);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
