package dev.portcullis.executor.redact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The filtered automaton against the obvious search: over random literals and random text cut
 * into random lines, it marks exactly the characters that some occurrence of some literal covers,
 * carries exactly the longest unfinished beginning of a literal from line to line, and reports
 * every anchor start.
 */
class LiteralAutomatonTest {

    /** Small alphabets make literals overlap and the filter fire often; larger ones keep it quiet. */
    @ParameterizedTest
    @ValueSource(strings = {"ab", "abc", "abcd-", "abcdefghijklmnopqrstuvwxyz0123456789 .:=\"é€"})
    void marksExactlyWhatTheObviousSearchMarks(String alphabet) {
        Random random = new Random(alphabet.hashCode());
        for (int round = 0; round < 300; round++) {
            List<String> literals = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(6); i++) {
                literals.add(text(random, alphabet, 8 + random.nextInt(round % 3 == 0 ? 40 : 8)));
            }
            LiteralAutomaton.Builder builder = LiteralAutomaton.builder();
            literals.forEach(literal -> builder.literal(literal, 0));
            LiteralAutomaton automaton = builder.build();
            StringBuilder text = new StringBuilder();
            while (text.length() < 400) {
                String literal = literals.get(random.nextInt(literals.size()));
                text.append(random.nextInt(3) == 0 ? literal : literal.substring(0, random.nextInt(literal.length())))
                        .append(text(random, alphabet, random.nextInt(6)));
            }
            List<String> lines = cut(random, text.toString());

            boolean[] marked = new boolean[text.length()];
            int state = LiteralAutomaton.ROOT;
            int start = 0;
            for (String line : lines) {
                int lineStart = start;
                byte[] low = new byte[line.length() + 3];
                for (int i = 0; i < line.length(); i++) {
                    low[i] = (byte) line.charAt(i);
                }
                state = automaton.scan(line, low, line.length(), state, new LiteralAutomaton.Hits() {
                    @Override
                    public void literal(int index, int matched) {
                        int end = lineStart + index + 1;
                        for (int k = end - automaton.matchLength(matched); k < end; k++) {
                            marked[k] = true;
                        }
                    }

                    @Override
                    public void anchor(int anchorStart) {}
                });
                start += line.length();
                assertEquals(unfinished(text.substring(0, start), literals), automaton.pendingLength(state),
                        "after " + lines.subList(0, lines.indexOf(line) + 1));
            }

            assertArrayEquals(occurrences(text.toString(), literals), marked, literals + " in " + lines);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void reportsEveryAnchorStart(int offset) {
        List<String> anchors = List.of("s.", "eyJ", "AKIA", "hvs.", "ghp_", "github_pat_", "PRIVATE KEY");
        LiteralAutomaton.Builder builder = LiteralAutomaton.builder().literal("unrelated-literal", 0);
        anchors.forEach(builder::anchor);
        LiteralAutomaton automaton = builder.build();

        for (String anchor : anchors) {
            String line = "x".repeat(offset) + anchor + "-tail";
            byte[] low = new byte[line.length() + 3];
            for (int i = 0; i < line.length(); i++) {
                low[i] = (byte) line.charAt(i);
            }
            Set<Integer> starts = new HashSet<>();
            automaton.scan(line, low, line.length(), LiteralAutomaton.ROOT, new LiteralAutomaton.Hits() {
                @Override
                public void literal(int index, int state) {}

                @Override
                public void anchor(int start) {
                    starts.add(start);
                }
            });

            assertTrue(starts.contains(offset), anchor + " at " + offset + ": " + starts);
        }
    }

    private static boolean[] occurrences(String text, List<String> literals) {
        boolean[] marked = new boolean[text.length()];
        for (String literal : literals) {
            for (int at = text.indexOf(literal); at >= 0; at = text.indexOf(literal, at + 1)) {
                for (int k = at; k < at + literal.length(); k++) {
                    marked[k] = true;
                }
            }
        }
        return marked;
    }

    /** The longest end of {@code text} that begins some literal without completing it. */
    private static int unfinished(String text, List<String> literals) {
        int longest = 0;
        for (String literal : literals) {
            for (int length = Math.min(literal.length(), text.length()); length > longest; length--) {
                if (text.endsWith(literal.substring(0, length))) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }

    private static List<String> cut(Random random, String text) {
        List<String> lines = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int length = random.nextInt(4) == 0 ? random.nextInt(4) : random.nextInt(60);
            int end = Math.min(text.length(), at + length);
            lines.add(text.substring(at, end));
            at = end;
        }
        return lines;
    }

    private static String text(Random random, String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
