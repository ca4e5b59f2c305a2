package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a verified token's claims to the caller's SPIFFE-form identity, e.g.
 * {@code spiffe://example.org/ci/github/{repository}}. A placeholder {@code {name}} stands for the
 * claim {@code name} (letters, digits, '_') and must fill whole path segments: it follows a '/' and
 * is followed by '/' or the end.
 *
 * <p>A claim value is taken only when it reads as SPIFFE path segments: each made of letters, digits,
 * '.', '-', '_', never empty, "." or "..", at most {@value #MAX_VALUE_LENGTH} characters in all. Only
 * the template's last placeholder may span segments ({@code acme/infra-live}); every earlier one must
 * be a single segment, so a value can never shift where the next placeholder starts. Any other value
 * is refused, never escaped or cut: two tokens map to the same identity only if their claims are equal.
 */
public record IdentityTemplate(String value) {
    static final int MAX_VALUE_LENGTH = 255;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_]+)}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    public IdentityTemplate {
        requireNonNull(value, "value is null");
        problemWith(value).ifPresent(problem -> {
            throw new IllegalArgumentException("identity template " + problem);
        });
    }

    /** The claims the template reads, in order. */
    public List<String> claimNames() {
        List<String> names = new ArrayList<>();
        Matcher matcher = PLACEHOLDER.matcher(value);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return List.copyOf(names);
    }

    /**
     * The identity for {@code claims}, or empty when a claim the template reads is missing or its value
     * is not acceptable (see the class comment).
     */
    Optional<SpiffeId> render(Map<String, String> claims) {
        List<String> names = claimNames();
        StringBuilder out = new StringBuilder();
        Matcher matcher = PLACEHOLDER.matcher(value);
        int placeholder = 0;
        while (matcher.find()) {
            String claim = claims.get(matcher.group(1));
            boolean last = ++placeholder == names.size();
            if (claim == null || !acceptable(claim, last)) {
                return Optional.empty();
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(claim));
        }
        matcher.appendTail(out);
        try {
            return Optional.of(new SpiffeId(out.toString()));
        } catch (IllegalArgumentException tooLong) {
            return Optional.empty();
        }
    }

    private static boolean acceptable(String claim, boolean mayHoldSlashes) {
        if (claim.isEmpty() || claim.length() > MAX_VALUE_LENGTH) {
            return false;
        }
        String[] segments = claim.split("/", -1);
        if (segments.length > 1 && !mayHoldSlashes) {
            return false;
        }
        for (String segment : segments) {
            if (segment.equals(".") || segment.equals("..") || !SEGMENT.matcher(segment).matches()) {
                return false;
            }
        }
        return true;
    }

    private static Optional<String> problemWith(String template) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder sample = new StringBuilder();
        int count = 0;
        while (matcher.find()) {
            count++;
            int start = matcher.start();
            int end = matcher.end();
            if (start == 0 || template.charAt(start - 1) != '/' || (end < template.length() && template.charAt(end) != '/')) {
                return Optional.of("must have each {claim} fill whole path segments (between '/' or at the end)");
            }
            matcher.appendReplacement(sample, "x");
        }
        matcher.appendTail(sample);
        if (count == 0) {
            return Optional.of("must name at least one {claim}, or every token of the issuer would be one caller");
        }
        String filled = sample.toString();
        if (filled.indexOf('{') >= 0 || filled.indexOf('}') >= 0) {
            return Optional.of("must write placeholders as {claim} with letters, digits and '_' only");
        }
        try {
            SpiffeId id = new SpiffeId(filled);
            if (template.indexOf('{') < "spiffe://".length() + id.trustDomain().length() + 1) {
                return Optional.of("must keep placeholders out of the trust domain");
            }
        } catch (IllegalArgumentException notSpiffe) {
            return Optional.of("must be a SPIFFE ID once filled in: " + notSpiffe.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }
}
