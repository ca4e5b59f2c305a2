package dev.portcullis.executor.redact;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Well-known credentials, masked whether or not they were registered as a task's secrets: what a
 * tool may print that the executor never handed out (a key created by the deployment, a token in
 * a tool's debug output).
 *
 * <p>Each rule starts at a short literal anchor ({@code AKIA}, {@code hvs.}, {@code ghp_},
 * {@code eyJ}, …) that the {@link LiteralAutomaton} reports in the same single pass as the secrets;
 * the rule's expression then runs only there, anchored ({@code lookingAt}), so a line without an
 * anchor costs no expression at all. Private-key blocks span lines and are handled by
 * {@link LineStream} from the {@link #PRIVATE_KEY_ANCHOR} anchor.
 */
final class CredentialPatterns {
    static final String PRIVATE_KEY = "pattern:private-key";
    static final String PRIVATE_KEY_ANCHOR = "PRIVATE KEY";
    /** A PEM header whose block is secret; the body follows the marker. */
    static final Pattern PRIVATE_KEY_BEGIN = Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----");
    static final String PEM_END = "-----END ";

    private static final String TOKEN = "A-Za-z0-9_-";

    /**
     * One credential shape.
     *
     * @param kind the detection name
     * @param anchors literal starts of a match; the expression runs from the anchor's first character
     * @param pattern anchored at the anchor's start
     * @param group the group that is masked (0: the whole match)
     * @param standalone whether the anchor must not follow a token character (for the short
     *     legacy Vault prefix {@code s.}, which ends many ordinary words)
     */
    record Rule(String kind, List<String> anchors, Pattern pattern, int group, boolean standalone) {
        Rule {
            anchors = List.copyOf(anchors);
        }

        /**
         * Whether the rule matches at {@code anchorStart}; if so, {@code matcher} holds the match
         * and {@code matcher.start(group())}, {@code matcher.end(group())} is the span to mask.
         */
        boolean matches(Matcher matcher, CharSequence line, int anchorStart) {
            if (standalone && anchorStart > 0 && isTokenChar(line.charAt(anchorStart - 1))) {
                return false;
            }
            matcher.region(anchorStart, line.length());
            return matcher.lookingAt();
        }
    }

    static final List<Rule> RULES = List.of(
            new Rule("pattern:aws-access-key-id", List.of("AKIA", "ASIA"),
                    Pattern.compile("A[KS]IA[A-Z0-9]{16}"), 0, false),
            new Rule("pattern:aws-secret-access-key",
                    List.of("secr", "SECR", "Secr"),
                    Pattern.compile("(?i)secret[_-]?access[_-]?key[\"']?\\s*(?:=>|[:=])?\\s*[\"']?"
                            + "([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"), 1, false),
            new Rule("pattern:vault-token", List.of("hvs.", "hvb.", "hvr."),
                    Pattern.compile("hv[sbr]\\.[" + TOKEN + "]{24,}"), 0, false),
            new Rule("pattern:vault-token", List.of("s."),
                    Pattern.compile("s\\.[A-Za-z0-9]{24}(?![A-Za-z0-9_.-])"), 0, true),
            new Rule("pattern:github-token", List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
                    Pattern.compile("gh[pousr]_[A-Za-z0-9]{36,251}"), 0, false),
            new Rule("pattern:github-token", List.of("github_pat_"),
                    Pattern.compile("github_pat_[A-Za-z0-9_]{22,251}"), 0, false),
            new Rule("pattern:jwt", List.of("eyJ"),
                    Pattern.compile("eyJ[" + TOKEN + "]{7,}\\.[" + TOKEN + "]{2,}\\.[" + TOKEN + "]*"), 0, false));

    /** A rule's anchor: its text and its rule (an index into {@link #RULES}, or -1 for private keys). */
    record Anchor(String text, int rule) {}

    static final List<Anchor> ANCHORS = anchors();
    /** The anchors by their first character's low 8 bits: a small table, for the scan's frequent reports. */
    private static final Anchor[][] BY_FIRST = byFirst();

    private static List<Anchor> anchors() {
        List<Anchor> anchors = new ArrayList<>();
        for (int rule = 0; rule < RULES.size(); rule++) {
            for (String anchor : RULES.get(rule).anchors()) {
                anchors.add(new Anchor(anchor, rule));
            }
        }
        anchors.add(new Anchor(PRIVATE_KEY_ANCHOR, -1));
        return List.copyOf(anchors);
    }

    private static Anchor[][] byFirst() {
        Anchor[][] byFirst = new Anchor[256][];
        Arrays.fill(byFirst, new Anchor[0]);
        for (Anchor anchor : ANCHORS) {
            int key = anchor.text().charAt(0) & 0xff;
            byFirst[key] = Arrays.copyOf(byFirst[key], byFirst[key].length + 1);
            byFirst[key][byFirst[key].length - 1] = anchor;
        }
        return byFirst;
    }

    /** The anchors that may begin with {@code first} (the caller checks the text); none for most characters. */
    static Anchor[] startingWith(char first) {
        return BY_FIRST[first & 0xff];
    }

    static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
                || c == '.';
    }
}
