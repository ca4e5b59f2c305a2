package dev.portcullis.deploy;

import java.util.List;
import java.util.Map;

/** Navigation in parsed YAML and JSON: maps, lists and scalars, absent as empty. */
final class Yaml {
    private Yaml() {}

    /** The value at {@code path} (map keys), or null when any step is missing. */
    static Object at(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... path) {
        Object value = at(node, path);
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String... path) {
        Object value = at(node, path);
        return value instanceof List<?> list ? (List<Object>) list : List.of();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(Object node, String... path) {
        return list(node, path).stream().filter(Map.class::isInstance).map(m -> (Map<String, Object>) m).toList();
    }

    static String string(Object node, String... path) {
        Object value = at(node, path);
        return value == null ? "" : String.valueOf(value);
    }

    /** A JSON/IAM field that may be one string or a list of strings, as a list. */
    static List<String> strings(Object node, String... path) {
        Object value = at(node, path);
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(String.valueOf(value));
    }
}
