package dev.portcullis.executor.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The string values inside a structured (JSON) secret, e.g. the password in
 * {@code {"username":"deploy","password":"…"}}: a task that prints one field of its secret must
 * not leak it just because the registered value is the whole document. Object keys are not
 * values and are not returned. A small strict reader rather than a JSON library: only the strings
 * are wanted, and the input is a secret that must not reach a library's error messages.
 */
final class JsonStringValues {
    private static final int MAX_NESTING = 64;

    private final String text;
    private final List<String> values = new ArrayList<>();
    private int at;

    private JsonStringValues(String text) {
        this.text = text;
    }

    /** The string values of a JSON object or array, in document order; empty if the text is not one. */
    static Optional<List<String>> of(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) {
            return Optional.empty();
        }
        JsonStringValues reader = new JsonStringValues(trimmed);
        try {
            reader.value(0);
            reader.whitespace();
            if (reader.at != trimmed.length()) {
                return Optional.empty();
            }
        } catch (NotJson notJson) {
            return Optional.empty();
        }
        return Optional.of(List.copyOf(reader.values));
    }

    private void value(int nesting) {
        if (nesting > MAX_NESTING) {
            throw new NotJson();
        }
        whitespace();
        switch (peek()) {
            case '{' -> {
                at++;
                whitespace();
                if (peek() == '}') {
                    at++;
                    return;
                }
                while (true) {
                    whitespace();
                    expect('"');
                    string();
                    whitespace();
                    expect(':');
                    value(nesting + 1);
                    whitespace();
                    if (peek() == ',') {
                        at++;
                    } else {
                        expect('}');
                        return;
                    }
                }
            }
            case '[' -> {
                at++;
                whitespace();
                if (peek() == ']') {
                    at++;
                    return;
                }
                while (true) {
                    value(nesting + 1);
                    whitespace();
                    if (peek() == ',') {
                        at++;
                    } else {
                        expect(']');
                        return;
                    }
                }
            }
            case '"' -> {
                at++;
                values.add(string());
            }
            default -> scalar();
        }
    }

    /** Reads a string after its opening quote, through the closing one. */
    private String string() {
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw new NotJson();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escape = next();
            switch (escape) {
                case '"', '\\', '/' -> out.append(escape);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw new NotJson();
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(at++), 16);
                        if (digit < 0) {
                            throw new NotJson();
                        }
                        code = code * 16 + digit;
                    }
                    out.append((char) code);
                }
                default -> throw new NotJson();
            }
        }
    }

    /** Numbers, true, false, null: accepted loosely, since only strings matter. */
    private void scalar() {
        int start = at;
        while (at < text.length() && "+-.0123456789eEtruefalsn".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        if (at == start) {
            throw new NotJson();
        }
    }

    private void whitespace() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private char peek() {
        if (at >= text.length()) {
            throw new NotJson();
        }
        return text.charAt(at);
    }

    private char next() {
        char c = peek();
        at++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw new NotJson();
        }
    }

    /** Control flow only: carries no text, so no part of the secret can travel in it. */
    private static final class NotJson extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotJson() {
            super(null, null, false, false);
        }
    }
}
