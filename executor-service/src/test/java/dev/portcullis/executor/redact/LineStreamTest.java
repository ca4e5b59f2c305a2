package dev.portcullis.executor.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a stream holds back and releases lines. */
class LineStreamTest {
    private static final String SECRET = "correct-horse-battery-staple";
    private static final Redactor REDACTOR = Redactor.of(List.of(new Secret("kv:app#key", SECRET)));

    @Test
    void anOrdinaryLineIsReleasedAtOnceAsTheSameString() {
        LineStream stream = REDACTOR.stream();
        String line = "Plan: 4 to add, 4 to change, 2 to destroy.";

        List<RedactedLine> out = stream.accept(line);

        assertEquals(1, out.size());
        assertSame(line, out.get(0).text());
        assertFalse(out.get(0).redacted());
    }

    @Test
    void aLineThatEndsInTheBeginningOfASecretIsHeldUntilTheNextLine() {
        LineStream stream = REDACTOR.stream();

        List<RedactedLine> first = stream.accept("password: correct-hor");
        List<RedactedLine> second = stream.accept("se-battery-staple ok");

        assertEquals(List.of(), first);
        assertEquals(List.of(new RedactedLine("password: [REDACTED]", List.of("secret:kv:app#key")),
                new RedactedLine("[REDACTED] ok", List.of("secret:kv:app#key"))), second);
    }

    @Test
    void aHeldLineIsReleasedUnchangedWhenTheNextLineDoesNotCompleteTheSecret() {
        LineStream stream = REDACTOR.stream();
        stream.accept("the word correct");

        List<RedactedLine> out = stream.accept("is not a secret.");

        assertEquals(List.of("the word correct", "is not a secret."), out.stream().map(RedactedLine::text).toList());
    }

    @Test
    void finishReleasesWhatIsHeld() {
        LineStream stream = REDACTOR.stream();
        stream.accept("ends in correct-horse");

        List<RedactedLine> out = stream.finish();

        assertEquals(List.of(new RedactedLine("ends in correct-horse", List.of())), out);
    }

    @Test
    void aSecretSplitAcrossThreeLinesIsMaskedInEach() {
        List<RedactedLine> out = RedactionCorpusTest.redact(REDACTOR, List.of("key=correct-", "horse-battery", "-staple;"));

        assertEquals(List.of("key=[REDACTED]", "[REDACTED]", "[REDACTED];"), out.stream().map(RedactedLine::text).toList());
    }

    @Test
    void linesComeOutInOrderAndNoneIsLost() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            lines.add(i % 7 == 0 ? "line " + i + " correct-horse" : i % 11 == 0 ? "" : "line " + i);
        }

        List<RedactedLine> out = RedactionCorpusTest.redact(REDACTOR, lines);

        assertEquals(lines, out.stream().map(RedactedLine::text).toList());
    }

    @Test
    void heldLinesAreBoundedAndASecretSplitByEmptyLinesStillNeverShows() {
        LineStream stream = REDACTOR.stream();
        List<RedactedLine> out = new ArrayList<>(stream.accept("token correct-horse"));
        int most = 0;
        int accepted = 1;

        for (int i = 0; i < 3 * LineStream.MAX_HELD_LINES; i++) {
            out.addAll(stream.accept(""));
            accepted++;
            most = Math.max(most, accepted - out.size());
        }
        out.addAll(stream.accept("-battery-staple"));
        out.addAll(stream.finish());

        assertTrue(most <= LineStream.MAX_HELD_LINES, "held " + most);
        assertEquals(accepted + 1, out.size());
        assertFalse(Leaks.joined(out).contains(SECRET));
        assertEquals("token [REDACTED]", out.get(0).text());
    }

    @Test
    void aStreamRefusesLinesAfterFinish() {
        LineStream stream = REDACTOR.stream();
        stream.finish();

        assertThrows(IllegalStateException.class, () -> stream.accept("late"));
    }

    @Test
    void patternsOnlyNeverHoldsALineBack() {
        LineStream stream = Redactor.patternsOnly().stream();

        for (String line : List.of("AKIA", "ends in hvs.", "-----BEGIN", "s")) {
            assertEquals(1, stream.accept(line).size(), line);
        }
    }
}
