package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Claims read from a refused token's payload without checking its signature, for the audit record:
 * only {@code iss}, {@code sub}, {@code aud}, {@code repository}, {@code sha}, {@code ref} and
 * {@code jti}, each a string of at most {@value #MAX_VALUE_LENGTH} printable ASCII characters
 * (anything else is replaced by '?'; a longer value is cut and ends in "..."). Never the
 * signature, never the token. Anyone can write these values: they identify nothing.
 */
public record UnverifiedClaims(Map<String, String> values) {
    /** The claims kept. */
    public static final List<String> NAMES = List.of("iss", "sub", "aud", "repository", "sha", "ref", "jti");
    static final int MAX_VALUE_LENGTH = 200;

    public UnverifiedClaims {
        values = Map.copyOf(requireNonNull(values, "values is null"));
    }

    /** No claims could be read (the payload was not there or not JSON). */
    public static UnverifiedClaims none() {
        return new UnverifiedClaims(Map.of());
    }

    /** The claims of a compact JWS's payload part, as far as they can be read; never throws. */
    static UnverifiedClaims of(String[] parts) {
        if (parts.length != 3) {
            return none();
        }
        Map<String, Object> json;
        try {
            json = JSONObjectUtils.parse(new Base64URL(parts[1]).decodeToString());
        } catch (ParseException | RuntimeException unreadable) {
            return none();
        }
        Map<String, String> kept = new TreeMap<>();
        for (String name : NAMES) {
            Object value = json.get(name);
            if (value instanceof String text) {
                kept.put(name, sanitised(text));
            } else if (value instanceof List<?> list && name.equals("aud")) {
                kept.put(name, sanitised(String.join(",", list.stream().map(String::valueOf).toList())));
            } else if (value instanceof Number || value instanceof Boolean) {
                kept.put(name, sanitised(String.valueOf(value)));
            }
        }
        return new UnverifiedClaims(kept);
    }

    private static String sanitised(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_VALUE_LENGTH));
        for (int i = 0; i < value.length() && i < MAX_VALUE_LENGTH; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c <= 0x7e ? c : '?');
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            out.setLength(MAX_VALUE_LENGTH - 3);
            out.append("...");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "UnverifiedClaims[unverified, " + new TreeMap<>(values) + "]";
    }
}
