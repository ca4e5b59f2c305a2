package dev.portcullis.executor.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The redaction corpus: every form of every test secret, alone, at the start, in the middle and
 * at the end of a line, and split across two lines at every split point, never shows in the
 * output. The forms are computed here, independently of {@link SecretForms}, and the output is
 * searched by decoding (see {@link Leaks}), not by asking the redactor what it masked.
 */
class RedactionCorpusTest {
    private static final Redactor REDACTOR = Redactor.of(TestSecrets.ALL);
    private static final String HEAD = "module.app.aws_ecs_service.app: value=";
    private static final String TAIL = " [id=acme-prod-app, 10s elapsed]";
    /** Bytes a blob may carry around the secret: text, a separator, binary. */
    private static final byte[] AROUND = {'u', 's', 'e', 'r', ':', (byte) 0xff, 0x00, '\n', 'z'};

    @TestFactory
    Stream<DynamicTest> everyFormOfEverySecretIsMaskedInEveryPositionAndEverySplit() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Secret secret : TestSecrets.ALL) {
            for (Target target : targets(secret)) {
                forms(target.value(), target.encoded()).forEach((name, form) -> tests.add(DynamicTest.dynamicTest(
                        secret.path() + " " + target.name() + " " + name,
                        () -> assertNeverShown(secret, target.value(), form))));
            }
        }
        return tests.stream();
    }

    @Test
    void everyLineOfAMultiLineSecretIsMaskedWhenPrintedLineByLine() {
        for (Secret secret : List.of(TestSecrets.PEM, TestSecrets.MULTI_LINE)) {
            for (String indent : List.of("", "            ")) {
                LineStream stream = REDACTOR.stream();
                List<RedactedLine> out = new ArrayList<>();
                secret.reveal().lines().forEach(line -> out.addAll(stream.accept(indent + line)));
                out.addAll(stream.finish());

                String output = String.join("\n", out.stream().map(RedactedLine::text).toList());
                for (String line : secret.reveal().lines().toList()) {
                    if (line.length() >= Redactor.MIN_SECRET_LENGTH) {
                        assertFalse(output.contains(line), () -> secret.path() + ": a line of it shows");
                    }
                }
                assertTrue(out.stream().allMatch(RedactedLine::redacted), secret.path() + ": every line masked");
            }
        }
    }

    @Test
    void aBase64WrappedAcrossLinesIsMasked() {
        String wrapped = Base64.getMimeEncoder(76, "\n".getBytes(UTF_8))
                .encodeToString(("tls:" + TestSecrets.PEM.reveal()).getBytes(UTF_8));
        LineStream stream = REDACTOR.stream();
        List<RedactedLine> out = new ArrayList<>();

        wrapped.lines().forEach(line -> out.addAll(stream.accept(line)));
        out.addAll(stream.finish());

        assertFalse(Leaks.carries(Leaks.joined(out), TestSecrets.PEM.reveal()));
        assertEquals(wrapped.lines().count(), out.size());
    }

    @Test
    void theKeysOfAStructuredSecretStayVisible() {
        List<RedactedLine> out = redact(REDACTOR, List.of("  \"username\": \"deploy-bot\",", "  \"port\": 5432,", "  \"short\": \"abc\""));

        assertEquals("  \"username\": \"[REDACTED]\",", out.get(0).text());
        assertEquals(List.of("secret:" + TestSecrets.JSON.path()), out.get(0).detections());
        assertEquals("  \"port\": 5432,", out.get(1).text());
        assertEquals("  \"short\": \"abc\"", out.get(2).text());
    }

    @Test
    void ordinaryTerraformOutputPassesByteForByte() throws IOException {
        List<String> lines = terraformOutput();

        for (Redactor redactor : List.of(REDACTOR, Redactor.patternsOnly())) {
            List<RedactedLine> out = redact(redactor, lines);

            assertEquals(lines.size(), out.size());
            for (int i = 0; i < lines.size(); i++) {
                assertEquals(lines.get(i), out.get(i).text(), "line " + (i + 1));
                assertFalse(out.get(i).redacted(), "line " + (i + 1));
            }
        }
    }

    static List<String> terraformOutput() throws IOException {
        try (InputStream in = RedactionCorpusTest.class.getResourceAsStream("terraform-output.txt")) {
            return new String(in.readAllBytes(), UTF_8).lines().toList();
        }
    }

    static List<RedactedLine> redact(Redactor redactor, List<String> lines) {
        LineStream stream = redactor.stream();
        List<RedactedLine> out = new ArrayList<>();
        lines.forEach(line -> out.addAll(stream.accept(line)));
        out.addAll(stream.finish());
        return out;
    }

    private static void assertNeverShown(Secret secret, String target, Form form) {
        String text = form.text();
        for (String head : List.of("", HEAD)) {
            for (String tail : List.of("", TAIL)) {
                assertMasked(secret, target, form, List.of(head + text + tail));
                for (int split = 1; split < text.length(); split++) {
                    assertMasked(secret, target, form, List.of(head + text.substring(0, split), text.substring(split) + tail));
                }
            }
        }
    }

    /**
     * Nothing of the secret shows; for a form that encodes the secret alone, exactly its core is
     * masked, whole, in each line it touches: a split secret does not leave its beginning behind.
     */
    private static void assertMasked(Secret secret, String target, Form form, List<String> lines) {
        List<RedactedLine> out = redact(REDACTOR, lines);
        String joined = Leaks.joined(out);
        if (Leaks.carries(joined, target) || (form.exact() && joined.contains(form.text()))) {
            fail("shown in " + lines.size() + " line(s), split after " + lines.get(0).length() + ": " + out);
        }
        assertEquals(lines.size(), out.size(), "one output line per input line");
        // a BEGIN marker that the split leaves without its END masks the following line whole: more, not less
        boolean privateKeyBlock = out.stream().anyMatch(line -> line.detections().contains(CredentialPatterns.PRIVATE_KEY));
        if (form.exact() && !privateKeyBlock) {
            String input = String.join("", lines);
            int core = input.indexOf(form.text()) + form.coreStart();
            int coreEnd = core + form.core().length();
            int at = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int from = Math.max(core, at) - at;
                int to = Math.min(coreEnd, at + line.length()) - at;
                String expected = from < to ? line.substring(0, from) + Redactor.MASK + line.substring(to) : line;
                assertEquals(expected, out.get(i).text(), "line " + (i + 1) + " of " + lines);
                at += line.length();
            }
        }
        assertTrue(out.stream().flatMap(line -> line.detections().stream())
                .anyMatch(detection -> detection.equals("secret:" + secret.path())), "detection named");
        for (RedactedLine line : out) {
            assertEquals(line.redacted(), line.text().contains(Redactor.MASK), "detections match the masks");
        }
    }

    /**
     * A value that must never show. {@code encoded}: its binary encodings must not show either; a
     * single line of a multi-line secret is masked as printed and escaped, while the binary
     * encodings are those of the whole value.
     */
    private record Target(String name, String value, boolean encoded) {}

    /** The value, and for a multi-line or JSON secret each line and inner value too. */
    private static List<Target> targets(Secret secret) {
        List<Target> targets = new ArrayList<>();
        String value = secret.reveal().strip();
        targets.add(new Target("value", value, true));
        List<String> lines = value.lines().map(String::strip).toList();
        if (lines.size() > 1) {
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).length() >= Redactor.MIN_SECRET_LENGTH) {
                    targets.add(new Target("line" + (i + 1), lines.get(i), false));
                }
            }
        }
        if (secret == TestSecrets.JSON) {
            for (String inner : List.of("deploy-bot", "Tr0ub4dor&3-horse", "nested-token-value-9")) {
                targets.add(new Target("inner-" + inner.substring(0, 4), inner, true));
            }
        }
        return targets;
    }

    /**
     * One spelling of a value. {@code exact}: the encoding of the value alone, so its core (the
     * text without shell quotes) is masked exactly; otherwise a blob with other bytes around it.
     */
    private record Form(String text, boolean exact, int coreStart, int coreEnd) {
        Form(String text, boolean exact) {
            this(text, exact, 0, 0);
        }

        String core() {
            return text.substring(coreStart, text.length() - coreEnd);
        }
    }

    /**
     * The forms of one value that fit on one line. {@code exact}: the form is the encoding of the
     * value alone, so the form itself must not show either; the blobs carry other bytes around it.
     */
    private static Map<String, Form> forms(String value, boolean encoded) {
        byte[] bytes = value.getBytes(UTF_8);
        Map<String, Form> forms = new LinkedHashMap<>();
        forms.put("raw", new Form(value, true));
        if (encoded) {
            encodedForms(bytes, forms);
        }
        String form = URLEncoder.encode(value, UTF_8);
        forms.put("url-form", new Form(form, true));
        forms.put("url-form-lower", new Form(lowerPercent(form), true));
        String rfc3986 = form.replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
        forms.put("url-rfc3986", new Form(rfc3986, true));
        forms.put("url-rfc3986-lower", new Form(lowerPercent(rfc3986), true));
        forms.put("json", new Form(json(value, false, false), true));
        forms.put("json-escaped-slash", new Form(json(value, false, false).replace("/", "\\/"), true));
        forms.put("json-go-html-safe", new Form(json(value, true, false), true));
        forms.put("json-ascii", new Form(json(value, false, true), true));
        forms.put("json-in-json", new Form(json(json(value, false, false), false, false), true));
        forms.put("shell-single", new Form("'" + value.replace("'", "'\\''") + "'", true, 1, 1));
        forms.put("shell-double", new Form("\"" + value.replace("\\", "\\\\").replace("\"", "\\\"")
                .replace("$", "\\$").replace("`", "\\`") + "\"", true, 1, 1));
        forms.put("shell-ansi-c", new Form("$'" + value.replace("\\", "\\\\").replace("'", "\\'")
                .replace("\n", "\\n").replace("\t", "\\t") + "'", true, 2, 1));
        forms.put("shell-printf-q", new Form(printfQ(value), true));
        forms.values().removeIf(f -> f.text().contains("\n") || f.text().contains("\r"));
        return forms;
    }

    private static void encodedForms(byte[] bytes, Map<String, Form> forms) {
        forms.put("base64", new Form(Base64.getEncoder().encodeToString(bytes), true));
        forms.put("base64-unpadded", new Form(Base64.getEncoder().withoutPadding().encodeToString(bytes), true));
        forms.put("base64url", new Form(Base64.getUrlEncoder().encodeToString(bytes), true));
        forms.put("base64url-unpadded", new Form(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), true));
        for (int before = 0; before <= 5; before++) {
            for (int after = 0; after <= 2; after++) {
                byte[] blob = blob(bytes, before, after);
                forms.put("base64-blob-" + before + "-" + after, new Form(Base64.getEncoder().encodeToString(blob), false));
                forms.put("base64url-blob-" + before + "-" + after, new Form(Base64.getUrlEncoder().encodeToString(blob), false));
            }
        }
        forms.put("hex", new Form(HexFormat.of().formatHex(bytes), true));
        forms.put("HEX", new Form(HexFormat.of().withUpperCase().formatHex(bytes), true));
        forms.put("base32", new Form(Leaks.base32(bytes), true));
        for (int before = 0; before <= 5; before++) {
            forms.put("base32-blob-" + before, new Form(Leaks.base32(blob(bytes, before, 3)), false));
        }
    }

    private static byte[] blob(byte[] value, int before, int after) {
        byte[] blob = new byte[before + value.length + after];
        for (int i = 0; i < before; i++) {
            blob[i] = AROUND[i % AROUND.length];
        }
        System.arraycopy(value, 0, blob, before, value.length);
        for (int i = 0; i < after; i++) {
            blob[before + value.length + i] = AROUND[(AROUND.length - 1 - i) % AROUND.length];
        }
        return blob;
    }

    private static String lowerPercent(String encoded) {
        StringBuilder out = new StringBuilder(encoded);
        for (int i = encoded.indexOf('%'); i >= 0; i = encoded.indexOf('%', i + 1)) {
            out.replace(i + 1, i + 3, encoded.substring(i + 1, i + 3).toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    private static String json(String value, boolean htmlSafe, boolean asciiOnly) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c < 0x20 || (htmlSafe && "<>&".indexOf(c) >= 0) || (asciiOnly && c > 0x7e)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String printfQ(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (" !\"#$&'()*,;<>?[\\]^`{|}".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
