package dev.portcullis.audit.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** A flat JSON object of strings, written with sorted keys; all the store needs for attributes. */
final class FlatJson {
    private FlatJson() {}

    static String write(Map<String, String> map) {
        StringBuilder out = new StringBuilder("{");
        new TreeMap<>(map).forEach((key, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, key);
            out.append(':');
            string(out, value);
        });
        return out.append('}').toString();
    }

    static Map<String, String> read(String json) {
        Map<String, String> map = new LinkedHashMap<>();
        int[] at = {skip(json, 0)};
        expect(json, at, '{');
        if (json.charAt(skip(json, at[0])) == '}') {
            return map;
        }
        while (true) {
            String key = string(json, at);
            expect(json, at, ':');
            map.put(key, string(json, at));
            at[0] = skip(json, at[0]);
            char c = json.charAt(at[0]++);
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                throw new IllegalArgumentException("malformed attributes JSON");
            }
        }
    }

    private static void string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String string(String json, int[] at) {
        at[0] = skip(json, at[0]);
        expect(json, at, '"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = json.charAt(at[0]++);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                char e = json.charAt(at[0]++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(json.substring(at[0], at[0] + 4), 16));
                        at[0] += 4;
                    }
                    default -> out.append(e);
                }
            } else {
                out.append(c);
            }
        }
    }

    private static void expect(String json, int[] at, char c) {
        at[0] = skip(json, at[0]);
        if (json.charAt(at[0]++) != c) {
            throw new IllegalArgumentException("malformed attributes JSON");
        }
    }

    private static int skip(String json, int at) {
        while (at < json.length() && Character.isWhitespace(json.charAt(at))) {
            at++;
        }
        return at;
    }
}
