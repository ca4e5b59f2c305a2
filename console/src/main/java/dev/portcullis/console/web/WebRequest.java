package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One browser request as the pages see it: method, decoded path, query and form parameters, the
 * headers (names lower-case, first value), the signed-in session, if any, and the connection's peer
 * ({@code sourceAddress}, "ip:port", empty when unknown; for audit records of refusals).
 */
public record WebRequest(String method, String path, Map<String, List<String>> query, Map<String, List<String>> form,
        Map<String, String> headers, Optional<Session> session, String sourceAddress) {

    public WebRequest {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        query = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(query)); // in the order given: a return path keeps it
        form = Map.copyOf(form);
        headers = Map.copyOf(headers);
        requireNonNull(session, "session is null");
        requireNonNull(sourceAddress, "sourceAddress is null");
    }

    /** The first value of query parameter {@code name}, blank values treated as absent. */
    public Optional<String> queryValue(String name) {
        return first(query, name);
    }

    /** The first value of form field {@code name}, blank values treated as absent. */
    public Optional<String> formValue(String name) {
        return first(form, name);
    }

    /** Header {@code name} (case-insensitive). */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The value of cookie {@code name} in the request's Cookie header. */
    public Optional<String> cookie(String name) {
        return cookie(headers, name);
    }

    /** The value of cookie {@code name} in the Cookie header among {@code headers} (names lower-case). */
    public static Optional<String> cookie(Map<String, String> headers, String name) {
        String header = headers.get("cookie");
        if (header == null) {
            return Optional.empty();
        }
        for (String part : header.split(";")) {
            String trimmed = part.strip();
            if (trimmed.startsWith(name + "=")) {
                return Optional.of(trimmed.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> first(Map<String, List<String>> values, String name) {
        List<String> all = values.getOrDefault(name, List.of());
        return all.isEmpty() || all.get(0).isBlank() ? Optional.empty() : Optional.of(all.get(0));
    }
}
