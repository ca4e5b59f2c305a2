package dev.portcullis.executor.redact;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for a secret in redacted output without asking the redactor how it encodes: the value
 * itself, and every base64, base64url and base32 run of the output decoded at every character
 * offset. Written independently of {@link SecretForms} on purpose.
 */
final class Leaks {
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{4,}");
    private static final Pattern BASE64URL_RUN = Pattern.compile("[A-Za-z0-9_-]{4,}");
    private static final Pattern BASE32_RUN = Pattern.compile("[A-Z2-7]{8,}");
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private Leaks() {}

    /** The texts of the released lines joined with nothing between them, as a reader could join them. */
    static String joined(List<RedactedLine> lines) {
        StringBuilder out = new StringBuilder();
        lines.forEach(line -> out.append(line.text()));
        return out.toString();
    }

    /** Whether {@code output} carries {@code secret} raw, or inside any base64/base64url/base32 run. */
    static boolean carries(String output, String secret) {
        if (output.contains(secret)) {
            return true;
        }
        byte[] bytes = secret.getBytes(UTF_8);
        return decodedRunsContain(output, BASE64_RUN, 4, run -> Base64.getDecoder().decode(run), bytes)
                || decodedRunsContain(output, BASE64URL_RUN, 4, run -> Base64.getUrlDecoder().decode(run), bytes)
                || decodedRunsContain(output, BASE32_RUN, 8, Leaks::base32Decode, bytes);
    }

    private interface Decoder {
        byte[] decode(String run);
    }

    private static boolean decodedRunsContain(String output, Pattern runs, int group, Decoder decoder, byte[] secret) {
        Matcher run = runs.matcher(output);
        while (run.find()) {
            String text = run.group();
            for (int offset = 0; offset < group && offset < text.length(); offset++) {
                int usable = (text.length() - offset) / group * group;
                if (usable > 0 && indexOf(decoder.decode(text.substring(offset, offset + usable)), secret) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < bytes.length; i += 5) {
            long group = 0;
            int n = Math.min(5, bytes.length - i);
            for (int j = 0; j < 5; j++) {
                group = (group << 8) | (j < n ? bytes[i + j] & 0xff : 0);
            }
            int chars = (n * 8 + 4) / 5;
            for (int j = 0; j < 8; j++) {
                out.append(j < chars ? BASE32.charAt((int) (group >>> (35 - 5 * j)) & 31) : '=');
            }
        }
        return out.toString();
    }

    private static byte[] base32Decode(String run) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : run.toCharArray()) {
            buffer = (buffer << 5) | BASE32.indexOf(c);
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >>> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }
}
