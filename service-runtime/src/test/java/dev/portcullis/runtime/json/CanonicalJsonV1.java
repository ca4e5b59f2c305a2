package dev.portcullis.runtime.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hand-written codec {@link CanonicalJson} replaced, frozen as it was: the reference the
 * Jackson-based one must match byte for byte. Test code only; never change it.
 */
final class CanonicalJsonV1 {
    private CanonicalJsonV1() {}

    /** {@code {"a":"1","b":"2"}}, keys in {@link String#compareTo} order. */
    static String object(Map<String, String> values) {
        StringBuilder out = new StringBuilder("{");
        new TreeMap<>(values).forEach((key, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, key).append(':');
            quote(out, value);
        });
        return out.append('}').toString();
    }

    /** {@code ["a","b"]}, in the given order. */
    static String array(List<String> values) {
        StringBuilder out = new StringBuilder("[");
        for (String value : values) {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, value);
        }
        return out.append(']').toString();
    }

    /** {@code value} as a JSON string literal. */
    static String quote(String value) {
        return quote(new StringBuilder(), value).toString();
    }

    static StringBuilder quote(StringBuilder out, String value) {
        out.append('"');
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
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /**
     * Reads an object whose values are all strings.
     *
     * @throws IllegalArgumentException if {@code json} is anything else
     */
    static Map<String, String> parseObject(String json) {
        Reader reader = new Reader(json);
        Map<String, String> values = new TreeMap<>();
        reader.expect('{');
        if (!reader.take('}')) {
            do {
                String key = reader.string();
                reader.expect(':');
                if (values.put(key, reader.string()) != null) {
                    throw new IllegalArgumentException("duplicate key in JSON object");
                }
            } while (reader.take(','));
            reader.expect('}');
        }
        reader.end();
        return Map.copyOf(values);
    }

    /**
     * Reads an array of strings.
     *
     * @throws IllegalArgumentException if {@code json} is anything else
     */
    static List<String> parseArray(String json) {
        Reader reader = new Reader(json);
        List<String> values = new ArrayList<>();
        reader.expect('[');
        if (!reader.take(']')) {
            do {
                values.add(reader.string());
            } while (reader.take(','));
            reader.expect(']');
        }
        reader.end();
        return List.copyOf(values);
    }

    /** A cursor over one JSON text. Not thread-safe; lives for one parse. */
    private static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        void expect(char c) {
            if (!take(c)) {
                throw new IllegalArgumentException("malformed JSON at offset " + at + ": expected '" + c + "'");
            }
        }

        boolean take(char c) {
            skipSpace();
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        void end() {
            skipSpace();
            if (at != text.length()) {
                throw new IllegalArgumentException("malformed JSON at offset " + at + ": trailing characters");
            }
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (at >= text.length()) {
                    throw new IllegalArgumentException("malformed JSON: unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw new IllegalArgumentException("malformed JSON at offset " + (at - 1) + ": control character in string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    throw new IllegalArgumentException("malformed JSON: unterminated escape");
                }
                char escape = text.charAt(at++);
                switch (escape) {
                    case '"', '\\', '/' -> out.append(escape);
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw new IllegalArgumentException("malformed JSON: short \\u escape");
                        }
                        int code = 0;
                        for (int end = at + 4; at < end; at++) {
                            int digit = Character.digit(text.charAt(at), 16);
                            if (digit < 0) {
                                throw new IllegalArgumentException("malformed JSON at offset " + at + ": bad \\u escape");
                            }
                            code = code * 16 + digit;
                        }
                        out.append((char) code);
                    }
                    default -> throw new IllegalArgumentException("malformed JSON at offset " + (at - 1) + ": bad escape");
                }
            }
        }

        private void skipSpace() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }
    }
}
