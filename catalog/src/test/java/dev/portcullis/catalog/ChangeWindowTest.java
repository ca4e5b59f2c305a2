package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChangeWindowTest {
    private static final ZoneId UTC = ZoneId.of("UTC");

    // Instants are UTC. Berlin is UTC+1 (CET) in winter and UTC+2 (CEST) in summer; in 2026 it
    // springs forward on Sun 03-29 at 01:00Z (02:00 -> 03:00 local) and falls back on Sun 10-25 at
    // 01:00Z (03:00 -> 02:00 local, so 02:00-02:59 happens at 00:xxZ and again at 01:xxZ).
    // New York is UTC-5 (EST) / UTC-4 (EDT); it springs forward on Sun 03-08 at 07:00Z
    // (02:00 -> 03:00) and falls back on Sun 11-01 at 06:00Z (02:00 -> 01:00, so 01:00-01:59
    // happens at 05:xxZ and again at 06:xxZ).
    @ParameterizedTest(name = "{0} at {1} -> {2} ({3})")
    @CsvSource(delimiter = '|', textBlock = """
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-06-01T06:00:00Z | true  | Mon 08:00 CEST, start is inside
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-06-01T05:59:59Z | false | Mon 07:59:59 CEST
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-06-05T15:59:59Z | true  | Fri 17:59:59 CEST
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-06-05T16:00:00Z | false | Fri 18:00 CEST, end is outside
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-06-06T10:00:00Z | false | Sat 12:00 CEST
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-01-05T07:00:00Z | true  | Mon 08:00 CET
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-01-05T06:59:59Z | false | Mon 07:59:59 CET
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-03-27T07:00:00Z | true  | Fri 08:00 CET, before the spring switch
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-03-27T06:59:59Z | false | Fri 07:59:59 CET
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-03-30T06:00:00Z | true  | Mon 08:00 CEST, after the spring switch
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-03-30T05:59:59Z | false | Mon 07:59:59 CEST
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-10-26T07:00:00Z | true  | Mon 08:00 CET, after the autumn switch
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-10-26T06:59:59Z | false | Mon 07:59:59 CET
            Mon 00:00-01:00 Europe/Berlin         | 2026-06-07T22:30:00Z | true  | Mon 00:30 CEST while UTC is still Sunday
            Sat,Sun 10:00-12:00 UTC               | 2026-06-06T10:00:00Z | true  | Sat 10:00
            Sat,Sun 10:00-12:00 UTC               | 2026-06-07T11:59:59Z | true  | Sun 11:59:59
            Sat,Sun 10:00-12:00 UTC               | 2026-06-07T12:00:00Z | false | Sun 12:00
            Sat,Sun 10:00-12:00 UTC               | 2026-06-05T10:30:00Z | false | Fri
            Sat,Sun 10:00-12:00 UTC               | 2026-06-08T10:30:00Z | false | Mon
            Fri-Mon 09:00-17:00 UTC               | 2026-06-05T09:00:00Z | true  | Fri, first day of a wrapping range
            Fri-Mon 09:00-17:00 UTC               | 2026-06-07T12:00:00Z | true  | Sun
            Fri-Mon 09:00-17:00 UTC               | 2026-06-08T16:59:59Z | true  | Mon, last day of a wrapping range
            Fri-Mon 09:00-17:00 UTC               | 2026-06-09T12:00:00Z | false | Tue
            Fri-Mon 09:00-17:00 UTC               | 2026-06-04T12:00:00Z | false | Thu
            Tue-Thu 00:00-24:00 UTC               | 2026-06-02T00:00:00Z | true  | Tue 00:00
            Tue-Thu 00:00-24:00 UTC               | 2026-06-04T23:59:59.999999999Z | true | Thu, last nanosecond
            Tue-Thu 00:00-24:00 UTC               | 2026-06-05T00:00:00Z | false | Fri 00:00
            Tue-Thu 00:00-24:00 UTC               | 2026-06-01T23:59:59Z | false | Mon 23:59:59
            Fri 22:00-24:00 UTC                   | 2026-06-05T23:59:59Z | true  | Fri 23:59:59
            Fri 22:00-24:00 UTC                   | 2026-06-06T00:00:00Z | false | Sat 00:00
            Mon 22:00-02:00 America/New_York      | 2026-06-02T02:00:00Z | true  | Mon 22:00 EDT
            Mon 22:00-02:00 America/New_York      | 2026-06-02T01:59:59Z | false | Mon 21:59:59 EDT
            Mon 22:00-02:00 America/New_York      | 2026-06-02T04:00:00Z | true  | Tue 00:00 EDT, past midnight
            Mon 22:00-02:00 America/New_York      | 2026-06-02T05:59:59Z | true  | Tue 01:59:59 EDT
            Mon 22:00-02:00 America/New_York      | 2026-06-02T06:00:00Z | false | Tue 02:00 EDT, end is outside
            Mon 22:00-02:00 America/New_York      | 2026-06-01T05:00:00Z | false | Mon 01:00 EDT belongs to Sunday, not listed
            Mon 22:00-02:00 America/New_York      | 2026-06-03T03:00:00Z | false | Tue 23:00 EDT, Tue not listed
            Mon 22:00-02:00 America/New_York      | 2026-01-06T03:00:00Z | true  | Mon 22:00 EST
            Mon 22:00-02:00 America/New_York      | 2026-01-06T06:59:59Z | true  | Tue 01:59:59 EST
            Mon 22:00-02:00 America/New_York      | 2026-01-06T07:00:00Z | false | Tue 02:00 EST
            Sun 23:00-01:00 UTC                   | 2026-06-07T23:30:00Z | true  | Sun 23:30
            Sun 23:00-01:00 UTC                   | 2026-06-08T00:30:00Z | true  | Mon 00:30, past midnight from Sunday
            Sun 23:00-01:00 UTC                   | 2026-06-08T01:00:00Z | false | Mon 01:00
            Sun 23:00-01:00 UTC                   | 2026-06-07T00:30:00Z | false | Sun 00:30 belongs to Saturday
            Sun 02:00-03:00 Europe/Berlin         | 2026-03-29T00:30:00Z | false | spring: 01:30 CET
            Sun 02:00-03:00 Europe/Berlin         | 2026-03-29T00:59:59Z | false | spring: 01:59:59 CET, last second before the gap
            Sun 02:00-03:00 Europe/Berlin         | 2026-03-29T01:00:00Z | false | spring: 03:00 CEST, the window's hour never happened
            Sun 02:00-03:00 Europe/Berlin         | 2026-04-05T00:30:00Z | true  | a week later: 02:30 CEST exists again
            Sun 01:30-02:30 Europe/Berlin         | 2026-03-29T00:30:00Z | true  | spring: 01:30 CET
            Sun 01:30-02:30 Europe/Berlin         | 2026-03-29T00:59:59Z | true  | spring: 01:59:59 CET
            Sun 01:30-02:30 Europe/Berlin         | 2026-03-29T01:00:00Z | false | spring: 03:00 CEST, the window closes at the switch
            Sun 02:30-04:00 Europe/Berlin         | 2026-03-29T00:59:59Z | false | spring: 01:59:59 CET
            Sun 02:30-04:00 Europe/Berlin         | 2026-03-29T01:00:00Z | true  | spring: 03:00 CEST, the window opens at the switch
            Sun 02:30-04:00 Europe/Berlin         | 2026-03-29T01:59:59Z | true  | spring: 03:59:59 CEST
            Sun 02:30-04:00 Europe/Berlin         | 2026-03-29T02:00:00Z | false | spring: 04:00 CEST
            Sat 22:00-02:30 Europe/Berlin         | 2026-03-28T21:00:00Z | true  | spring: Sat 22:00 CET
            Sat 22:00-02:30 Europe/Berlin         | 2026-03-29T00:59:59Z | true  | spring: Sun 01:59:59 CET
            Sat 22:00-02:30 Europe/Berlin         | 2026-03-29T01:00:00Z | false | spring: Sun 03:00 CEST, past an end that never happened
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-24T21:59:59Z | false | autumn: Sat 23:59:59 CEST
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-24T22:00:00Z | true  | autumn: Sun 00:00 CEST
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-25T00:29:59Z | true  | autumn: first 02:29:59 (CEST)
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-25T00:30:00Z | false | autumn: first 02:30 (CEST)
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-25T00:59:59Z | false | autumn: first 02:59:59 (CEST)
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-25T01:00:00Z | true  | autumn: second 02:00 (CET), inside again
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-25T01:29:59Z | true  | autumn: second 02:29:59 (CET)
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-25T01:30:00Z | false | autumn: second 02:30 (CET)
            Sun 02:00-03:00 Europe/Berlin         | 2026-10-24T23:59:59Z | false | autumn: 01:59:59 CEST
            Sun 02:00-03:00 Europe/Berlin         | 2026-10-25T00:00:00Z | true  | autumn: first 02:00 (CEST)
            Sun 02:00-03:00 Europe/Berlin         | 2026-10-25T01:00:00Z | true  | autumn: second 02:00 (CET), two real hours in all
            Sun 02:00-03:00 Europe/Berlin         | 2026-10-25T01:59:59Z | true  | autumn: second 02:59:59 (CET)
            Sun 02:00-03:00 Europe/Berlin         | 2026-10-25T02:00:00Z | false | autumn: 03:00 CET
            Sat 22:00-02:30 Europe/Berlin         | 2026-10-24T20:00:00Z | true  | autumn: Sat 22:00 CEST
            Sat 22:00-02:30 Europe/Berlin         | 2026-10-25T00:30:00Z | false | autumn: Sun first 02:30 (CEST)
            Sat 22:00-02:30 Europe/Berlin         | 2026-10-25T01:00:00Z | true  | autumn: Sun second 02:00 (CET), past midnight from Saturday
            Sat 22:00-02:30 Europe/Berlin         | 2026-10-25T01:30:00Z | false | autumn: Sun second 02:30 (CET)
            Sat 22:00-02:00 America/New_York      | 2026-03-08T02:59:59Z | false | spring: Sat 21:59:59 EST
            Sat 22:00-02:00 America/New_York      | 2026-03-08T03:00:00Z | true  | spring: Sat 22:00 EST
            Sat 22:00-02:00 America/New_York      | 2026-03-08T06:59:59Z | true  | spring: Sun 01:59:59 EST
            Sat 22:00-02:00 America/New_York      | 2026-03-08T07:00:00Z | false | spring: Sun 03:00 EDT, 02:00 never happened
            Sun 02:00-03:00 America/New_York      | 2026-03-08T06:59:59Z | false | spring: 01:59:59 EST
            Sun 02:00-03:00 America/New_York      | 2026-03-08T07:00:00Z | false | spring: 03:00 EDT, the window's hour never happened
            Sat 23:00-01:30 America/New_York      | 2026-11-01T03:00:00Z | true  | autumn: Sat 23:00 EDT
            Sat 23:00-01:30 America/New_York      | 2026-11-01T05:29:59Z | true  | autumn: first 01:29:59 (EDT)
            Sat 23:00-01:30 America/New_York      | 2026-11-01T05:30:00Z | false | autumn: first 01:30 (EDT)
            Sat 23:00-01:30 America/New_York      | 2026-11-01T06:00:00Z | true  | autumn: second 01:00 (EST), inside again
            Sat 23:00-01:30 America/New_York      | 2026-11-01T06:29:59Z | true  | autumn: second 01:29:59 (EST)
            Sat 23:00-01:30 America/New_York      | 2026-11-01T06:30:00Z | false | autumn: second 01:30 (EST)
            """)
    void containsByLocalWallClockTime(String window, Instant instant, boolean inside, String why) {
        ChangeWindow parsed = ChangeWindow.parse(window);

        boolean contains = parsed.contains(instant);

        assertEquals(inside, contains, why);
    }

    // the same switches as above; every instant from the first column to the answer is inside
    @ParameterizedTest(name = "{0} at {1} closes at {2} ({3})")
    @CsvSource(delimiter = '|', textBlock = """
            Mon-Fri 08:00-18:00 Europe/Berlin     | 2026-06-01T10:00:00Z | 2026-06-01T16:00:00Z | Mon 18:00 CEST
            Fri 22:00-02:00 UTC                   | 2026-06-05T23:00:00Z | 2026-06-06T02:00:00Z | opened this evening, closes tomorrow
            Fri 22:00-02:00 UTC                   | 2026-06-06T01:00:00Z | 2026-06-06T02:00:00Z | opened yesterday, closes today
            Sat 00:00-24:00 Europe/Berlin         | 2026-06-06T10:00:00Z | 2026-06-06T22:00:00Z | a whole day ends at its midnight (CEST)
            Sun 00:00-02:30 Europe/Berlin         | 2026-03-29T00:30:00Z | 2026-03-29T01:00:00Z | spring: 02:30 never happens, closes at the switch
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-25T00:10:00Z | 2026-10-25T00:30:00Z | autumn: first 02:10 (CEST) closes at first 02:30
            Sun 00:00-02:30 Europe/Berlin         | 2026-10-25T01:10:00Z | 2026-10-25T01:30:00Z | autumn: second 02:10 (CET) closes at second 02:30
            Sat 22:00-02:30 Europe/Berlin         | 2026-10-25T01:00:00Z | 2026-10-25T01:30:00Z | autumn: past midnight, second 02:00 (CET)
            """)
    void closesAfterIsTheEndOfTheOccurrenceHoldingTheInstant(String window, Instant instant, Instant closes, String why) {
        ChangeWindow parsed = ChangeWindow.parse(window);

        Instant closing = parsed.closesAfter(instant).orElseThrow();

        assertEquals(closes, closing, why);
        assertEquals(false, parsed.contains(closing), why);
        assertEquals(true, parsed.contains(closing.minusSeconds(1)), why);
    }

    @Test
    void closesAfterIsEmptyOutsideTheWindow() {
        ChangeWindow window = ChangeWindow.parse("Mon-Fri 08:00-18:00 Europe/Berlin");

        assertEquals(Optional.empty(), window.closesAfter(Instant.parse("2026-06-06T10:00:00Z")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Mon-Fri 08:00-18:00 Europe/Berlin",
        "Sat,Sun 10:00-12:00 UTC",
        "Mon 22:00-02:00 America/New_York",
        "Tue-Thu 00:00-24:00 UTC",
        "Fri-Mon 09:00-17:00 UTC",
        "Mon-Sun 00:00-24:00 UTC",
        "Mon,Wed,Fri 08:00-09:00 +02:00",
        "Sun-Tue 23:00-24:00 Asia/Kolkata"})
    void canonicalTextIsKeptAsWritten(String text) {
        ChangeWindow window = ChangeWindow.parse(text);

        assertEquals(text, window.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            '  Mon-Fri   08:00-18:00	Europe/Berlin '  | Mon-Fri 08:00-18:00 Europe/Berlin
            Mon,Tue,Wed 08:00-18:00 UTC                 | Mon-Wed 08:00-18:00 UTC
            Sat-Sun 10:00-12:00 UTC                     | Sat,Sun 10:00-12:00 UTC
            Wed,Mon 08:00-09:00 UTC                     | Mon,Wed 08:00-09:00 UTC
            Sun,Mon,Tue 08:00-09:00 UTC                 | Sun-Tue 08:00-09:00 UTC
            Sat,Sun,Mon,Wed 08:00-09:00 UTC             | Wed,Sat-Mon 08:00-09:00 UTC
            Fri-Thu 08:00-09:00 UTC                     | Mon-Sun 08:00-09:00 UTC
            Fri 22:00-00:00 UTC                         | Fri 22:00-24:00 UTC
            """)
    void toStringIsCanonical(String text, String canonical) {
        ChangeWindow window = ChangeWindow.parse(text);

        assertEquals(canonical, window.toString());
    }

    @Test
    void canonicalTextReadsBackToTheSameWindowForEverySetOfDays() {
        DayOfWeek[] week = DayOfWeek.values();
        Set<String> texts = new HashSet<>();
        for (int mask = 1; mask < 1 << 7; mask++) {
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            for (int bit = 0; bit < 7; bit++) {
                if ((mask & 1 << bit) != 0) {
                    days.add(week[bit]);
                }
            }
            ChangeWindow window = new ChangeWindow(days, LocalTime.of(22, 0), LocalTime.of(2, 0), UTC);

            ChangeWindow readBack = ChangeWindow.parse(window.toString());

            assertEquals(window, readBack, window.toString());
            texts.add(window.toString());
        }
        assertEquals(127, texts.size());
    }

    @Test
    void parseGivesTheComponents() {
        ChangeWindow window = ChangeWindow.parse("Mon 22:00-02:00 America/New_York");

        assertEquals(new ChangeWindow(Set.of(DayOfWeek.MONDAY), LocalTime.of(22, 0), LocalTime.of(2, 0),
                ZoneId.of("America/New_York")), window);
    }

    @Test
    void wrappingDayRangeCoversTheWeekend() {
        ChangeWindow window = ChangeWindow.parse("Fri-Mon 09:00-17:00 UTC");

        assertEquals(EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY, DayOfWeek.MONDAY), window.days());
    }

    @Test
    void endOfDayIsMidnight() {
        ChangeWindow window = ChangeWindow.parse("Tue-Thu 00:00-24:00 UTC");

        assertEquals(LocalTime.MIDNIGHT, window.end());
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                                    | change window is empty; expected '<days> <HH:MM>-<HH:MM> <zone>', e.g. 'Mon-Fri 08:00-18:00 Europe/Berlin'
            "   "                                 | change window is empty; expected '<days> <HH:MM>-<HH:MM> <zone>', e.g. 'Mon-Fri 08:00-18:00 Europe/Berlin'
            Mon-Fri 08:00-18:00                   | change window 'Mon-Fri 08:00-18:00' must have three parts separated by spaces (days, time range, time zone); expected '<days> <HH:MM>-<HH:MM> <zone>', e.g. 'Mon-Fri 08:00-18:00 Europe/Berlin'
            Mon-Fri 08:00-18:00 UTC extra         | change window 'Mon-Fri 08:00-18:00 UTC extra' must have three parts separated by spaces (days, time range, time zone); expected '<days> <HH:MM>-<HH:MM> <zone>', e.g. 'Mon-Fri 08:00-18:00 Europe/Berlin'
            Mon - Fri 08:00-18:00 UTC             | change window 'Mon - Fri 08:00-18:00 UTC' must have three parts separated by spaces (days, time range, time zone); expected '<days> <HH:MM>-<HH:MM> <zone>', e.g. 'Mon-Fri 08:00-18:00 Europe/Berlin'
            Mox-Fri 08:00-18:00 UTC               | unknown day 'Mox'; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun
            mon 08:00-18:00 UTC                   | unknown day 'mon'; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun
            Monday 08:00-18:00 UTC                | unknown day 'Monday'; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun
            Mon,,Fri 08:00-18:00 UTC              | days 'Mon,,Fri' contain an empty entry
            Mon, 08:00-18:00 UTC                  | days 'Mon,' contain an empty entry
            Mon-Tue-Wed 08:00-18:00 UTC           | day range 'Mon-Tue-Wed' must be '<day>-<day>', e.g. 'Mon-Fri'
            Mon- 08:00-18:00 UTC                  | day range 'Mon-' must be '<day>-<day>', e.g. 'Mon-Fri'
            Mon-Mon 08:00-18:00 UTC               | day range 'Mon-Mon' starts and ends on the same day; write 'Mon' for one day or 'Mon-Sun' for the whole week
            Mon-Fri,Wed 08:00-18:00 UTC           | day Wed is listed more than once in 'Mon-Fri,Wed'
            Sat,Sun,Sat 08:00-18:00 UTC           | day Sat is listed more than once in 'Sat,Sun,Sat'
            Mon 08:00 UTC                         | time range '08:00' must be 'HH:MM-HH:MM'
            Mon 08:00-18:00-19:00 UTC             | time range '08:00-18:00-19:00' must be 'HH:MM-HH:MM'
            Mon 8:00-18:00 UTC                    | start time '8:00' must be HH:MM with two digits each, 00:00 to 23:59
            Mon 08:00-1800 UTC                    | end time '1800' must be HH:MM with two digits each, 00:00 to 24:00
            Mon 08:00:00-18:00 UTC                | start time '08:00:00' must be HH:MM with two digits each, 00:00 to 23:59
            Mon 24:00-02:00 UTC                   | start time '24:00' is not a time of day (00:00 to 23:59)
            Mon 08:60-09:00 UTC                   | start time '08:60' is not a time of day (00:00 to 23:59)
            Mon 08:00-24:01 UTC                   | end time '24:01' is not a time of day (00:00 to 24:00)
            Mon 08:00-25:00 UTC                   | end time '25:00' is not a time of day (00:00 to 24:00)
            Mon 08:00-08:00 UTC                   | time range '08:00-08:00' starts and ends at the same time; write 00:00-24:00 for a whole day
            Mon 00:00-00:00 UTC                   | time range '00:00-00:00' starts and ends at the same time; write 00:00-24:00 for a whole day
            Mon 08:00-18:00 Europe/Berln          | unknown time zone 'Europe/Berln'; expected a region such as Europe/Berlin or UTC, or an offset such as +02:00
            Mon 08:00-18:00 CEST                  | unknown time zone 'CEST'; expected a region such as Europe/Berlin or UTC, or an offset such as +02:00
            Mon 08:00-18:00 +25:00                | unknown time zone '+25:00'; expected a region such as Europe/Berlin or UTC, or an offset such as +02:00
            """)
    void parseRefusesWithAReasonNamingTheBadPart(String text, String reason) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ChangeWindow.parse(text));

        assertEquals(reason, refused.getMessage());
    }

    @Test
    void parseRefusesOverlongText() {
        String text = "Mon 08:00-18:00 " + "A".repeat(100);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ChangeWindow.parse(text));

        assertEquals("change window is longer than 100 characters", refused.getMessage());
    }

    @Test
    void parseRefusesNull() {
        assertThrows(NullPointerException.class, () -> ChangeWindow.parse(null));
    }

    @Test
    void constructorRefusesNoDays() {
        Set<DayOfWeek> none = Set.of();

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new ChangeWindow(none, LocalTime.of(8, 0), LocalTime.of(18, 0), UTC));

        assertEquals("a change window needs at least one day", refused.getMessage());
    }

    @Test
    void constructorRefusesPartMinutes() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new ChangeWindow(Set.of(DayOfWeek.MONDAY), LocalTime.of(8, 0, 30), LocalTime.of(18, 0), UTC));

        assertEquals("change window times must be whole minutes", refused.getMessage());
    }

    @Test
    void constructorRefusesEqualStartAndEndOtherThanTheWholeDay() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new ChangeWindow(Set.of(DayOfWeek.MONDAY), LocalTime.of(8, 0), LocalTime.of(8, 0), UTC));

        assertEquals("change window start and end are both 08:00: the window would be empty or the whole day;"
                + " write 00:00-24:00 for a whole day", refused.getMessage());
    }

    @Test
    void daysAreCopiedAndUnmodifiable() {
        Set<DayOfWeek> days = EnumSet.of(DayOfWeek.MONDAY);
        ChangeWindow window = new ChangeWindow(days, LocalTime.of(8, 0), LocalTime.of(18, 0), UTC);

        days.add(DayOfWeek.TUESDAY);

        assertEquals(Set.of(DayOfWeek.MONDAY), window.days());
        assertThrows(UnsupportedOperationException.class, () -> window.days().add(DayOfWeek.FRIDAY));
    }
}
