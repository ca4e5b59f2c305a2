package dev.portcullis.cli.command;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses durations written like "5s", "500ms", "2m", "24h", "7d", or ISO-8601 ("PT5S"). */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");
    private static final Map<String, ChronoUnit> UNITS = Map.of(
            "ms", ChronoUnit.MILLIS, "s", ChronoUnit.SECONDS, "m", ChronoUnit.MINUTES,
            "h", ChronoUnit.HOURS, "d", ChronoUnit.DAYS);

    @Override
    public Duration convert(String value) {
        Matcher matcher = SHORT.matcher(value);
        if (matcher.matches()) {
            return Duration.of(Long.parseLong(matcher.group(1)), UNITS.get(matcher.group(2)));
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("not a duration: '" + value + "' (e.g. 5s, 24h)");
        }
    }
}
