package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A weekly period in which changes to an environment may be applied, written as
 * {@code "<days> <HH:MM>-<HH:MM> <zone>"}, e.g. {@code "Mon-Fri 08:00-18:00 Europe/Berlin"}.
 *
 * <p><b>Semantics: local wall-clock time.</b> An instant is inside the window when its local date
 * and time in {@link #zone()} (as {@link ZonedDateTime#ofInstant} gives them) fall in
 * {@code [start, end)} on one of {@link #days()}. When {@code end} is before {@code start} the
 * window runs past midnight: the part after midnight belongs to the day the window started on, so
 * {@code "Fri 22:00-02:00"} covers Friday 22:00 to Saturday 02:00. An {@code end} of
 * {@code 00:00} (written {@code 24:00}) is the end of the day.
 *
 * <p>Daylight-saving switches follow from the wall-clock rule and are deliberate:
 * <ul>
 *   <li>Local times skipped by a spring-forward switch never occur, so that part of the window is
 *       lost that day: {@code "Sun 02:00-03:00 Europe/Berlin"} admits nothing on 2026-03-29, and a
 *       window ending at 02:30 ends at the switch (03:00 local).
 *   <li>Local times repeated by a fall-back switch occur twice and both occurrences count:
 *       {@code "Sun 00:00-02:30 Europe/Berlin"} on 2026-10-25 is open until 02:30 summer time,
 *       closed for half an hour, and open again from 02:00 to 02:30 winter time.
 * </ul>
 * So in real time a window can be shorter than written by the skipped time, or longer by the
 * repeated time; a rule that needs an exact span of real time should use a UTC window.
 *
 * <p>Immutable and thread-safe.
 *
 * @param days the days on which the window starts; never empty
 * @param start the local time it opens (inclusive), a whole minute
 * @param end the local time it closes (exclusive), a whole minute; {@code 00:00} is the end of
 *     the day; before {@code start} it is on the following day
 * @param zone the time zone whose local time the window is written in
 */
public record ChangeWindow(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) {
    private static final int MAX_LENGTH = 100;
    private static final String FORMAT =
            "expected '<days> <HH:MM>-<HH:MM> <zone>', e.g. 'Mon-Fri 08:00-18:00 Europe/Berlin'";
    private static final Pattern TIME_RANGE = Pattern.compile("([^-]*)-([^-]*)");
    private static final Pattern TIME = Pattern.compile("([0-9]{2}):([0-9]{2})");
    private static final List<String> DAY_NAMES = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");

    /**
     * Checks the components; {@link #parse} is the usual way in.
     *
     * @throws IllegalArgumentException when {@code days} is empty, a time is not a whole minute, or
     *     {@code start} equals {@code end} other than both being {@code 00:00} (the whole day)
     */
    public ChangeWindow {
        requireNonNull(days, "days is null");
        requireNonNull(start, "start is null");
        requireNonNull(end, "end is null");
        requireNonNull(zone, "zone is null");
        if (days.isEmpty()) {
            throw new IllegalArgumentException("a change window needs at least one day");
        }
        if (start.getSecond() != 0 || start.getNano() != 0 || end.getSecond() != 0 || end.getNano() != 0) {
            throw new IllegalArgumentException("change window times must be whole minutes");
        }
        if (start.equals(end) && !start.equals(LocalTime.MIDNIGHT)) {
            throw new IllegalArgumentException("change window start and end are both " + start
                    + ": the window would be empty or the whole day; write 00:00-24:00 for a whole day");
        }
        days = Collections.unmodifiableSet(EnumSet.copyOf(days));
    }

    /**
     * Parses {@code "<days> <HH:MM>-<HH:MM> <zone>"}.
     *
     * <ul>
     *   <li>days: a comma-separated list of day names ({@code Mon Tue Wed Thu Fri Sat Sun}) and
     *       ranges of them ({@code Mon-Fri}); a range may wrap past Sunday ({@code Fri-Mon}); no
     *       day may be listed twice;
     *   <li>times: two digits each, start {@code 00:00} to {@code 23:59}, end {@code 00:00} to
     *       {@code 24:00}; an end before the start runs into the next day; start and end may be
     *       equal only as {@code 00:00-24:00};
     *   <li>zone: a region id such as {@code Europe/Berlin}, {@code UTC}, or an offset such as
     *       {@code +02:00}.
     * </ul>
     *
     * @throws IllegalArgumentException with a plain-words reason naming the bad part
     */
    public static ChangeWindow parse(String text) {
        requireNonNull(text, "text is null");
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("change window is empty; " + FORMAT);
        }
        if (trimmed.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("change window is longer than " + MAX_LENGTH + " characters");
        }
        String[] parts = trimmed.split("\\s+");
        if (parts.length != 3) {
            throw new IllegalArgumentException("change window '" + trimmed
                    + "' must have three parts separated by spaces (days, time range, time zone); " + FORMAT);
        }
        Set<DayOfWeek> days = parseDays(parts[0]);
        Matcher range = TIME_RANGE.matcher(parts[1]);
        if (!range.matches()) {
            throw new IllegalArgumentException("time range '" + parts[1] + "' must be 'HH:MM-HH:MM'");
        }
        LocalTime start = parseTime("start", range.group(1), false);
        LocalTime end = parseTime("end", range.group(2), true);
        if (start.equals(end) && !range.group(2).equals("24:00")) {
            throw new IllegalArgumentException("time range '" + parts[1]
                    + "' starts and ends at the same time; write 00:00-24:00 for a whole day");
        }
        return new ChangeWindow(days, start, end, parseZone(parts[2]));
    }

    /**
     * Whether {@code instant} lies inside this window, by the wall-clock rule in the class comment.
     * Never throws for a non-null instant.
     */
    public boolean contains(Instant instant) {
        requireNonNull(instant, "instant is null");
        ZonedDateTime local = ZonedDateTime.ofInstant(instant, zone);
        DayOfWeek day = local.getDayOfWeek();
        LocalTime time = local.toLocalTime();
        boolean untilEndOfDay = end.equals(LocalTime.MIDNIGHT);
        if (untilEndOfDay || end.isAfter(start)) {
            return days.contains(day) && !time.isBefore(start) && (untilEndOfDay || time.isBefore(end));
        }
        // runs past midnight: the evening belongs to today, the small hours to yesterday's window
        return (days.contains(day) && !time.isBefore(start))
                || (days.contains(day.minus(1)) && time.isBefore(end));
    }

    /**
     * The first instant after {@code instant} at which this window, open at {@code instant}, closes
     * (the occurrence that holds {@code instant} ends); empty when the window is not open then.
     * Every instant from {@code instant} up to the answer is inside the window, by the wall-clock
     * rule in the class comment: an end skipped by a spring-forward switch closes the window at the
     * switch, and an end repeated by a fall-back switch closes it at the first occurrence after
     * {@code instant}. Never throws for a non-null instant.
     */
    public Optional<Instant> closesAfter(Instant instant) {
        if (!contains(instant)) {
            return Optional.empty();
        }
        ZonedDateTime local = ZonedDateTime.ofInstant(instant, zone);
        LocalDate date = local.toLocalDate();
        LocalDate closingDate;
        if (end.equals(LocalTime.MIDNIGHT)) {
            closingDate = date.plusDays(1);
        } else if (end.isAfter(start)) {
            closingDate = date;
        } else {
            // runs past midnight: opened today (closes tomorrow) or yesterday (closes today)
            boolean openedToday = days.contains(local.getDayOfWeek()) && !local.toLocalTime().isBefore(start);
            closingDate = openedToday ? date.plusDays(1) : date;
        }
        LocalDateTime closing = closingDate.atTime(end);
        ZoneOffsetTransition transition = zone.getRules().getTransition(closing);
        if (transition != null && transition.isGap()) {
            // the closing time never occurs that day: the first local time after it is the switch
            return Optional.of(transition.getInstant());
        }
        ZonedDateTime earlier = ZonedDateTime.ofLocal(closing, zone, null).withEarlierOffsetAtOverlap();
        if (earlier.toInstant().isAfter(instant)) {
            return Optional.of(earlier.toInstant());
        }
        // instant lies in the repeated hour after a fall-back switch: the closing time's second occurrence
        return Optional.of(earlier.withLaterOffsetAtOverlap().toInstant());
    }

    /**
     * The canonical text, which {@link #parse} reads back to an equal window. Runs of three or more
     * consecutive days are written as ranges ({@code Mon-Fri}, {@code Fri-Mon}), shorter runs as
     * lists ({@code Sat,Sun}); the end of the day is written {@code 24:00}.
     */
    @Override
    public String toString() {
        String endText = end.equals(LocalTime.MIDNIGHT) ? "24:00" : end.toString();
        return formatDays(days) + " " + start + "-" + endText + " " + zone.getId();
    }

    private static Set<DayOfWeek> parseDays(String text) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String item : text.split(",", -1)) {
            if (item.isEmpty()) {
                throw new IllegalArgumentException("days '" + text + "' contain an empty entry");
            }
            for (DayOfWeek day : parseDayItem(item)) {
                if (!days.add(day)) {
                    throw new IllegalArgumentException("day " + name(day) + " is listed more than once in '" + text + "'");
                }
            }
        }
        return days;
    }

    private static List<DayOfWeek> parseDayItem(String item) {
        String[] ends = item.split("-", -1);
        if (ends.length == 1) {
            return List.of(parseDay(item));
        }
        if (ends.length != 2 || ends[0].isEmpty() || ends[1].isEmpty()) {
            throw new IllegalArgumentException("day range '" + item + "' must be '<day>-<day>', e.g. 'Mon-Fri'");
        }
        DayOfWeek first = parseDay(ends[0]);
        DayOfWeek last = parseDay(ends[1]);
        if (first == last) {
            throw new IllegalArgumentException("day range '" + item + "' starts and ends on the same day; write '"
                    + ends[0] + "' for one day or 'Mon-Sun' for the whole week");
        }
        List<DayOfWeek> range = new ArrayList<>();
        for (DayOfWeek day = first; day != last; day = day.plus(1)) {
            range.add(day);
        }
        range.add(last);
        return range;
    }

    private static DayOfWeek parseDay(String name) {
        int index = DAY_NAMES.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("unknown day '" + name + "'; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun");
        }
        return DayOfWeek.of(index + 1);
    }

    private static LocalTime parseTime(String which, String text, boolean endOfDayAllowed) {
        String bounds = endOfDayAllowed ? "00:00 to 24:00" : "00:00 to 23:59";
        Matcher time = TIME.matcher(text);
        if (!time.matches()) {
            throw new IllegalArgumentException(which + " time '" + text + "' must be HH:MM with two digits each, " + bounds);
        }
        int hour = Integer.parseInt(time.group(1));
        int minute = Integer.parseInt(time.group(2));
        if (endOfDayAllowed && hour == 24 && minute == 0) {
            return LocalTime.MIDNIGHT;
        }
        if (hour > 23 || minute > 59) {
            throw new IllegalArgumentException(which + " time '" + text + "' is not a time of day (" + bounds + ")");
        }
        return LocalTime.of(hour, minute);
    }

    private static ZoneId parseZone(String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException unknown) {
            throw new IllegalArgumentException("unknown time zone '" + text
                    + "'; expected a region such as Europe/Berlin or UTC, or an offset such as +02:00", unknown);
        }
    }

    private static String formatDays(Set<DayOfWeek> days) {
        if (days.size() == DayOfWeek.values().length) {
            return "Mon-Sun";
        }
        // walk the week from a day outside the set, so a run that wraps past Sunday stays whole
        DayOfWeek first = DayOfWeek.MONDAY;
        while (days.contains(first)) {
            first = first.plus(1);
        }
        List<List<DayOfWeek>> runs = new ArrayList<>();
        List<DayOfWeek> run = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            DayOfWeek day = first.plus(i);
            if (days.contains(day)) {
                run.add(day);
            } else if (!run.isEmpty()) {
                runs.add(run);
                run = new ArrayList<>();
            }
        }
        runs.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        List<String> items = new ArrayList<>();
        for (List<DayOfWeek> each : runs) {
            if (each.size() >= 3) {
                items.add(name(each.get(0)) + "-" + name(each.get(each.size() - 1)));
            } else {
                each.forEach(day -> items.add(name(day)));
            }
        }
        return String.join(",", items);
    }

    private static String name(DayOfWeek day) {
        return DAY_NAMES.get(day.getValue() - 1);
    }
}
