package dev.portcullis.executor.redact;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Every textual form in which a secret value is known to reach a log, as literal strings to mask.
 *
 * <p>Escaped forms: the value itself, JSON string escapes (as Go, Jackson and Python write them,
 * and escaped twice for JSON inside JSON), shell quoting ({@code '…'} with {@code '\''} or
 * {@code '"'"'}, {@code "…"}, and bash 5's {@code printf %q}: backslashes, or {@code $'…'} for a
 * value with control characters, or with non-ASCII in the C locale, which writes each byte as
 * octal) and the percent-encodings of {@link UrlEncoding}, each in upper- and lower-case hex. Every
 * distinct string is registered once: most values encode identically in several runtimes.
 *
 * <p>Binary encodings of the value's UTF-8 bytes: hex (both cases), base64 and base64url, base32.
 * A value is rarely encoded alone: {@code echo "user:$PASSWORD" | base64} puts it inside a larger
 * blob, at a byte offset that shifts every character. Base64 turns 3 bytes into 4 characters, so a
 * secret starting at byte offset {@code a} (mod 3) is spelled by the same characters wherever it
 * sits, except the one or two characters at each end that mix in bits of the neighbouring bytes.
 * For each alignment {@code a} in 0..2 the form is the "stable middle": the characters of
 * {@code base64(a bytes + secret)} that carry secret bits only, i.e. characters {@code i} with
 * {@code 6i >= 8a} and {@code 6i + 6 <= 8(a + n)}. Base32 (5 bytes into 8 characters) gets the same
 * treatment for its five alignments. At most the bits of the edge characters escape (less than one
 * byte at each end). When the secret ends the blob, the partial last character and the padding are
 * determined too, so that longer form is masked as well.
 */
final class SecretForms {
    /** What bash's {@code printf %q} backslashes anywhere; {@code #} and {@code ~} only in places (see backslashed). */
    private static final String SHELL_SPECIAL = " !\"$&'()*,;<>?[\\]^`{|}";
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private SecretForms() {}

    /** The escaped forms and the binary encodings. */
    static Set<String> all(String value) {
        Set<String> forms = escaped(value);
        forms.addAll(encoded(value));
        return forms;
    }

    /** The value and the forms that escape some of its characters (JSON, shell, URL). */
    static Set<String> escaped(String value) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(value);
        for (boolean slash : new boolean[] {false, true}) {
            for (boolean html : new boolean[] {false, true}) {
                for (NonAscii nonAscii : NonAscii.values()) {
                    forms.add(json(value, slash, html, nonAscii));
                }
            }
        }
        forms.add(json(json(value, false, false, NonAscii.RAW), false, false, NonAscii.RAW));
        forms.add(value.replace("'", "'\\''"));
        forms.add(value.replace("'", "'\"'\"'"));
        forms.add(doubleQuoted(value));
        forms.add(ansiC(value, false));
        forms.add(ansiC(value, true));
        // bash 5.2 backslashes '~' after '=' or ':' too, its elders only a leading one; bash a leading '#'
        // only, other quoters (zsh) every '#': register each way (most values give one string for all)
        for (boolean tildeAfterAssignment : new boolean[] {true, false}) {
            forms.add(backslashed(value, tildeAfterAssignment, false));
            forms.add(backslashed(value, tildeAfterAssignment, true));
        }
        for (UrlEncoding encoding : UrlEncoding.values()) {
            for (boolean upper : new boolean[] {true, false}) {
                forms.add(percent(value, encoding, upper));
            }
        }
        return forms;
    }

    /**
     * The percent-encodings that runtimes write, by what they leave literal besides ASCII letters
     * and digits and how they write a space; all encode the UTF-8 bytes of the value. Every one
     * writes upper-case hex, but other writers of the same sets use lower case (curl's
     * {@code --url-query} and {@code -G --data-urlencode}: {@code FORM_RFC3986} in lower case), so
     * both are registered.
     */
    enum UrlEncoding {
        /** RFC 3986 unreserved: libcurl's {@code curl_easy_escape}, Python {@code quote(s, safe='')}. */
        RFC3986("-._~", false),
        /** Go {@code url.QueryEscape}, Python {@code quote_plus} and {@code urlencode}, curl {@code -G --data-urlencode}. */
        FORM_RFC3986("-._~", true),
        /** Python {@code quote(s)}, whose default {@code safe} is {@code '/'}. */
        RFC3986_PATH("-._~/", false),
        /** Go {@code url.PathEscape}: RFC 3986's path-segment characters but {@code / ; ,} and {@code ?}. */
        PATH_SEGMENT("-._~$&+:=@", false),
        /** Java {@code URLEncoder} (HTML forms). */
        FORM(".-*_", true),
        /** JavaScript {@code encodeURIComponent}. */
        JS_COMPONENT("-_.!~*'()", false);

        private final String literal;
        private final boolean spaceAsPlus;

        UrlEncoding(String literal, boolean spaceAsPlus) {
            this.literal = literal;
            this.spaceAsPlus = spaceAsPlus;
        }
    }

    /** Hex, base64, base64url and base32 of the value's UTF-8 bytes, at every byte alignment. */
    static Set<String> encoded(String value) {
        byte[] bytes = value.getBytes(UTF_8);
        Set<String> forms = new LinkedHashSet<>();
        forms.add(HexFormat.of().formatHex(bytes));
        forms.add(HexFormat.of().withUpperCase().formatHex(bytes));
        for (int alignment = 0; alignment < 3; alignment++) {
            byte[] shifted = shifted(bytes, alignment);
            int first = ceilDiv(8 * alignment, 6);
            int stableEnd = 8 * (alignment + bytes.length) / 6;
            for (Base64.Encoder encoder : new Base64.Encoder[] {Base64.getEncoder(), Base64.getUrlEncoder()}) {
                String padded = encoder.encodeToString(shifted);
                forms.add(padded.substring(first, stableEnd));
                forms.add(padded.substring(first));
                forms.add(encoder.withoutPadding().encodeToString(shifted).substring(first));
            }
        }
        for (int alignment = 0; alignment < 5; alignment++) {
            String padded = base32(shifted(bytes, alignment));
            int first = ceilDiv(8 * alignment, 5);
            forms.add(padded.substring(first, 8 * (alignment + bytes.length) / 5));
            forms.add(padded.substring(first));
            forms.add(padded.substring(first).replace("=", ""));
        }
        return forms;
    }

    private static byte[] shifted(byte[] bytes, int alignment) {
        byte[] shifted = new byte[alignment + bytes.length];
        System.arraycopy(bytes, 0, shifted, alignment, bytes.length);
        return shifted;
    }

    private static int ceilDiv(int dividend, int divisor) {
        return (dividend + divisor - 1) / divisor;
    }

    /** How a JSON writer spells characters outside ASCII. */
    private enum NonAscii { RAW, LOWER_HEX, UPPER_HEX }

    /**
     * The JSON string escape of {@code value}, without the quotes. {@code slash}: "/" as "\/" (PHP,
     * some Java writers); {@code html}: {@code < > &} and U+2028/9 as {@code \u003c} … (Go's
     * encoding/json, hence Terraform).
     */
    private static String json(String value, boolean slash, boolean html, NonAscii nonAscii) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '/' -> out.append(slash ? "\\/" : "/");
                default -> {
                    boolean htmlUnsafe = c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029';
                    if (c < 0x20 || (html && htmlUnsafe)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (c >= 0x80 && nonAscii != NonAscii.RAW) {
                        out.append(String.format(nonAscii == NonAscii.UPPER_HEX ? "\\u%04X" : "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Inside {@code "…"}: backslash before the four characters the shell still interprets. */
    private static String doubleQuoted(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c == '$' || c == '`') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Inside bash's {@code $'…'}, as {@code printf %q} writes a value with a character it cannot
     * print: a control character, or in the C locale ({@code bytes}) any non-ASCII one, of which it
     * then writes each UTF-8 byte as {@code \ooo}.
     */
    private static String ansiC(String value, boolean bytes) {
        String text = bytes ? new String(value.getBytes(UTF_8), ISO_8859_1) : value;
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\u0007' -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\u001b' -> out.append("\\E");
                case '\f' -> out.append("\\f");
                case '\u000b' -> out.append("\\v");
                default -> {
                    if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
                        out.append(String.format("\\%03o", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * Unquoted, a backslash before every character the shell would interpret, as bash's
     * {@code printf %q} writes it: {@code #} only first (a comment; every {@code #} with
     * {@code everyHash}), {@code ~} first and, as bash 5.2 does ({@code tildeAfterAssignment}), after
     * {@code =} or {@code :} (tilde expansion).
     */
    private static String backslashed(String value, boolean tildeAfterAssignment, boolean everyHash) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            char before = i == 0 ? 0 : value.charAt(i - 1);
            boolean tilde = c == '~' && (i == 0 || (tildeAfterAssignment && (before == '=' || before == ':')));
            if (SHELL_SPECIAL.indexOf(c) >= 0 || tilde || (c == '#' && (i == 0 || everyHash))) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Percent-encoding of the UTF-8 bytes, keeping ASCII letters, digits and what {@code encoding} keeps. */
    private static String percent(String value, UrlEncoding encoding, boolean upper) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(UTF_8)) {
            int c = b & 0xff;
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (alphanumeric || (c < 0x80 && encoding.literal.indexOf(c) >= 0)) {
                out.append((char) c);
            } else if (c == ' ' && encoding.spaceAsPlus) {
                out.append('+');
            } else {
                out.append('%').append(String.format(upper ? "%02X" : "%02x", c));
            }
        }
        return out.toString();
    }

    /** RFC 4648 base32 with padding. */
    static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length + 4) / 5 * 8);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        while (out.length() % 8 != 0) {
            out.append('=');
        }
        return out.toString();
    }
}
