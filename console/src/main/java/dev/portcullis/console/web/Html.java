package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

/**
 * HTML escaping: every value a page shows goes through {@link #text(String)}, attribute values
 * included (they are always double-quoted), so no run field, audit attribute or claim can end an
 * element or an attribute.
 */
public final class Html {
    private Html() {}

    /** {@code value} with {@code & < > " '} replaced by character references; control characters but tab and newline dropped. */
    public static String text(String value) {
        requireNonNull(value, "value is null");
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
