package dev.portcullis.runtime.request;

import static java.util.Objects.requireNonNull;

/**
 * A full git ref name such as {@code refs/heads/main} or {@code refs/pull/12/head}, following
 * git's ref-name rules ({@code git check-ref-format}) and, stricter than git, printable ASCII
 * only: no component starts with '.' or ends with ".lock"; no "..", "//", "@{", control
 * characters, space, '~', '^', ':', '?', '*', '[' or '\'; not ending in '/' or '.'; at most
 * 255 characters. Also stricter than git: none of the shell's quoting and command characters
 * {@code $ ` ; | & < > ' " ( )}, so a ref copied into a script, a chat message or a log line
 * can never read as a command substitution ({@code refs/heads/x$(id)}).
 */
public record GitRef(String value) {
    public static final int MAX_LENGTH = 255;

    public GitRef {
        requireNonNull(value, "value is null");
        String problem = problemWith(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static String problemWith(String ref) {
        if (ref.isEmpty()) {
            return "must not be empty";
        }
        if (ref.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < ref.length(); i++) {
            char c = ref.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "must hold printable ASCII only (no spaces, control or non-ASCII characters)";
            }
            if ("~^:?*[\\$`;|&<>'\"()".indexOf(c) >= 0) {
                return "must not contain '" + c + "'";
            }
        }
        if (!ref.startsWith("refs/") || ref.length() == "refs/".length()) {
            return "must be a full ref name starting with refs/, e.g. refs/heads/main";
        }
        if (ref.contains("..")) {
            return "must not contain '..'";
        }
        if (ref.contains("@{")) {
            return "must not contain '@{'";
        }
        if (ref.contains("//")) {
            return "must not contain '//'";
        }
        if (ref.endsWith("/") || ref.endsWith(".")) {
            return "must not end with '/' or '.'";
        }
        for (String component : ref.split("/", -1)) {
            if (component.startsWith(".")) {
                return "no component may start with '.'";
            }
            if (component.endsWith(".lock")) {
                return "no component may end with '.lock'";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return value;
    }
}
