package dev.portcullis.executor.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.stream.Collectors.toSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The URL and shell encodings that runtimes write, from a table kept here independently of
 * {@link SecretForms}: each is a registered form, and is masked whole and split across two lines.
 */
class SecretFormsTest {
    /** Space, every character the runtimes disagree on, the URL and form specials, non-ASCII. */
    private static final String SAMPLE = "pä ss~*'()!+/=%&word";
    /** Where {@code printf %q} treats {@code #} and {@code ~} specially: first, after {@code =} and {@code :}. */
    private static final String TILDES = "#~home=~user:~pw é";
    /** A '#' that is not first, which bash leaves as it is. */
    private static final String HASH_INSIDE = "x y#z~w=~v";
    private static final List<String> VALUES = List.of(SAMPLE, TILDES, HASH_INSIDE, TestSecrets.SPECIAL.reveal(),
            "~*'()!+/=%& x");

    /**
     * How one runtime percent-encodes: what it keeps besides ASCII letters and digits, how it
     * writes a space, the case of its hex digits. Each encodes the UTF-8 bytes of the value.
     */
    private record Runtime(String name, String literal, boolean spaceAsPlus, boolean upperHex) {
        String encode(String value) {
            StringBuilder out = new StringBuilder();
            for (byte b : value.getBytes(UTF_8)) {
                int c = b & 0xff;
                if (Character.isLetterOrDigit(c) && c < 0x80 || c < 0x80 && literal.indexOf(c) >= 0) {
                    out.append((char) c);
                } else if (c == ' ' && spaceAsPlus) {
                    out.append('+');
                } else {
                    String hex = String.format("%%%02X", c);
                    out.append(upperHex ? hex : hex.toLowerCase(Locale.ROOT));
                }
            }
            return out.toString();
        }
    }

    private static final List<Runtime> RUNTIMES = List.of(
            // java.net.URLEncoder Javadoc: letters and digits, ". - * _" remain the same, space becomes
            // "+", all other characters become "%xy" of their bytes (upper case, as the JDK writes them)
            new Runtime("java URLEncoder", ".-*_", true, true),
            // Go net/url: shouldEscape keeps "-_.~" (RFC 3986 §2.3) and, in encodeQueryComponent mode,
            // escapes every reserved character; escape writes ' ' as '+' and hex from upperhex
            new Runtime("go url.QueryEscape", "-_.~", true, true),
            // Go net/url, encodePathSegment: of the reserved "$&+,/:;=?@" only "/ ; , ?" are escaped;
            // space is "%20" outside encodeQueryComponent
            new Runtime("go url.PathEscape", "-_.~$&+:=@", false, true),
            // Python urllib.parse.quote(string, safe='/'): _ALWAYS_SAFE is letters, digits and "_.-~"
            // ("~" since 3.7) plus safe; "%XX" upper case
            new Runtime("python quote", "_.-~/", false, true),
            // Python urllib.parse.quote_plus(string, safe=''): quote with ' ' then ' ' -> '+', so '+' is %2B
            new Runtime("python quote_plus", "_.-~", true, true),
            // ECMA-262 encodeURIComponent: unescaped are uriAlpha, DecimalDigit and uriMark
            // "- _ . ! ~ * ' ( )"; every other UTF-8 byte as "%XY" with upper-case hex digits
            new Runtime("javascript encodeURIComponent", "-_.!~*'()", false, true),
            // RFC 3986 §2.3 unreserved "-._~", §2.1 upper-case hex; libcurl's curl_easy_escape
            new Runtime("rfc3986 / curl_easy_escape", "-._~", false, true),
            // curl 7.88 -G --data-urlencode and --url-query: the same set, '+' for space, lower-case hex
            new Runtime("curl -G --data-urlencode", "-._~", true, false),
            // RFC 3986 §2.1 makes hex case insignificant: lower-case writers of the other sets
            new Runtime("java URLEncoder, lower hex", ".-*_", true, false),
            new Runtime("go url.PathEscape, lower hex", "-_.~$&+:=@", false, false),
            new Runtime("python quote, lower hex", "_.-~/", false, false),
            new Runtime("javascript encodeURIComponent, lower hex", "-_.!~*'()", false, false),
            new Runtime("rfc3986, lower hex", "-._~", false, false));

    /** Shell quoting, with the core (the text between quotes, which is what is masked) and its context. */
    private record Quoted(String name, String prefix, String core, String suffix) {}

    private static List<Quoted> quoted(String value) {
        boolean control = value.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
        return List.of(
                new Quoted("single-quoted", "'", value.replace("'", "'\\''"), "'"),
                control ? new Quoted("printf %q", "$'", ansiC(value, false), "'") : new Quoted("printf %q", "", printfQ(value), ""),
                new Quoted("printf %q in the C locale", "$'", ansiC(value, true), "'"));
    }

    /**
     * bash 5's printf %q of a value without control characters (lib/sh/shquote.c,
     * sh_backslash_quote with flags 3): a backslash before the blanks and the shell's specials, before
     * '#' first and before '~' first or after '=' or ':'.
     */
    private static String printfQ(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            char before = i == 0 ? '=' : value.charAt(i - 1);
            if (" \t!\"$&'()*,;<>?[\\]^`{|}".indexOf(c) >= 0 || i == 0 && c == '#'
                    || c == '~' && (before == '=' || before == ':')) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Inside $'…', as printf %q writes a value with a character it cannot print (lib/sh/strtrans.c,
     * ansic_quote): a control character, or, in the C locale ({@code bytes}), non-ASCII, each of its
     * bytes then as \ooo.
     */
    private static String ansiC(String value, boolean bytes) {
        StringBuilder out = new StringBuilder();
        int[] units = bytes ? toInts(value.getBytes(UTF_8)) : value.chars().toArray();
        for (int c : units) {
            if (c == '\\' || c == '\'') {
                out.append('\\').append((char) c);
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c < 0x20 || c == 0x7f || bytes && c >= 0x80) {
                out.append(String.format("\\%03o", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private static int[] toInts(byte[] bytes) {
        int[] ints = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ints[i] = bytes[i] & 0xff;
        }
        return ints;
    }

    @Test
    void theTableReproducesWhatEachRuntimeWrote() {
        // recorded from the runtimes (JDK 17, Python 3.11.7, Node 20.20.2, curl 7.88.1, bash 5.2.15);
        // Go's from net/url's escape and shouldEscape
        assertEquals("p%C3%A4+ss%7E*%27%28%29%21%2B%2F%3D%25%26word", encode("java URLEncoder", SAMPLE));
        assertEquals(URLEncoder.encode(SAMPLE, UTF_8), encode("java URLEncoder", SAMPLE));
        assertEquals("p%C3%A4+ss~%2A%27%28%29%21%2B%2F%3D%25%26word", encode("go url.QueryEscape", SAMPLE));
        assertEquals("p%C3%A4%20ss~%2A%27%28%29%21+%2F=%25&word", encode("go url.PathEscape", SAMPLE));
        assertEquals("p%C3%A4%20ss~%2A%27%28%29%21%2B/%3D%25%26word", encode("python quote", SAMPLE));
        assertEquals("p%C3%A4+ss~%2A%27%28%29%21%2B%2F%3D%25%26word", encode("python quote_plus", SAMPLE));
        assertEquals("p%C3%A4%20ss~*'()!%2B%2F%3D%25%26word", encode("javascript encodeURIComponent", SAMPLE));
        assertEquals("p%c3%a4+ss~%2a%27%28%29%21%2b%2f%3d%25%26word", encode("curl -G --data-urlencode", SAMPLE));
        assertEquals("pä\\ ss~\\*\\'\\(\\)\\!+/=%\\&word", printfQ(SAMPLE));
        assertEquals("\\#~home=\\~user:\\~pw\\ é", printfQ(TILDES));
        assertEquals("x\\ y#z~w=\\~v", printfQ(HASH_INSIDE));
        assertEquals("p\\303\\244 ss~*\\'()!+/=%&word", ansiC(SAMPLE, true));
    }

    @TestFactory
    Stream<DynamicTest> everyRuntimesEncodingIsARegisteredForm() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String value : VALUES) {
            Set<String> forms = SecretForms.escaped(value);
            for (Runtime runtime : RUNTIMES) {
                tests.add(DynamicTest.dynamicTest(runtime.name() + " of " + value,
                        () -> assertTrue(forms.contains(runtime.encode(value)))));
            }
            for (Quoted quoted : quoted(value)) {
                tests.add(DynamicTest.dynamicTest(quoted.name() + " of " + value,
                        () -> assertTrue(forms.contains(quoted.core()))));
            }
        }
        return tests.stream();
    }

    @Test
    void bashBefore52sPrintfQWhichBackslashesOnlyALeadingTildeIsRegisteredToo() {
        assertTrue(SecretForms.escaped(TILDES).contains("\\#~home=~user:~pw\\ é"), SecretForms.escaped(TILDES).toString());
    }

    @Test
    void aValueThatNoEncodingChangesIsRegisteredOnce() {
        assertEquals(Set.of("correct-horse-battery-staple"), SecretForms.escaped("correct-horse-battery-staple"));
    }

    @Test
    void encodingsThatAgreeAreRegisteredOnce() {
        String value = "plain word~";

        Set<String> forms = SecretForms.escaped(value);

        // space as %20 or '+', "~" literal or %7E or %7e: four strings for thirteen runtimes and cases
        Set<String> url = forms.stream().filter(form -> form.contains("%") || form.contains("+")).collect(toSet());
        assertEquals(Set.of("plain%20word~", "plain+word~", "plain+word%7E", "plain+word%7e"), url);
        assertEquals(url, RUNTIMES.stream().map(runtime -> runtime.encode(value)).collect(toSet()));
    }

    @TestFactory
    Stream<DynamicTest> eachEncodingIsMaskedWholeAndSplitAcrossTwoLines() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String value : VALUES) {
            Secret secret = new Secret("kv:app#" + tests.size(), value);
            Redactor redactor = Redactor.of(List.of(secret));
            for (Runtime runtime : RUNTIMES) {
                String encoded = runtime.encode(value);
                tests.add(DynamicTest.dynamicTest(runtime.name() + " of " + value,
                        () -> assertMaskedWholeAndSplit(redactor, "https://api.example/v1?token=", encoded, "&page=2")));
            }
            for (Quoted quoted : quoted(value)) {
                tests.add(DynamicTest.dynamicTest(quoted.name() + " of " + value,
                        () -> assertMaskedWholeAndSplit(redactor, "+ curl -u deploy:" + quoted.prefix(), quoted.core(),
                                quoted.suffix() + " https://x")));
            }
            tests.add(DynamicTest.dynamicTest("plain " + value,
                    () -> assertMaskedWholeAndSplit(redactor, "password=", value, " ok")));
        }
        return tests.stream();
    }

    @Test
    void anUnrelatedLineIsNotMasked() {
        Redactor redactor = Redactor.of(List.of(new Secret("kv:app#password", SAMPLE)));
        List<String> lines = new ArrayList<>();
        for (Runtime runtime : RUNTIMES) {
            lines.add("GET /search?q=" + runtime.encode("pä ss~*'()!+/=%&wore") + "&page=2 200");
        }
        lines.add("+ printf %q " + printfQ("pä ss~*'()!+/=%&wOrd"));
        lines.add("GET /search?q=p%C3%A4%20ss~%2A%27 200");

        List<RedactedLine> out = RedactionCorpusTest.redact(redactor, lines);

        assertEquals(lines, out.stream().map(RedactedLine::text).toList());
        assertFalse(out.stream().anyMatch(RedactedLine::redacted));
    }

    private static String encode(String runtime, String value) {
        return RUNTIMES.stream().filter(r -> r.name().equals(runtime)).findFirst().orElseThrow().encode(value);
    }

    /** {@code core} is masked exactly, alone in one line and split at every point across two. */
    private static void assertMaskedWholeAndSplit(Redactor redactor, String head, String core, String tail) {
        List<RedactedLine> whole = RedactionCorpusTest.redact(redactor, List.of(head + core + tail));
        assertEquals(head + Redactor.MASK + tail, whole.get(0).text());

        for (int split = 1; split < core.length(); split++) {
            List<String> lines = List.of(head + core.substring(0, split), core.substring(split) + tail);

            List<RedactedLine> out = RedactionCorpusTest.redact(redactor, lines);

            assertEquals(List.of(head + Redactor.MASK, Redactor.MASK + tail), out.stream().map(RedactedLine::text).toList(),
                    "split after " + split + " characters of " + core);
        }
    }
}
