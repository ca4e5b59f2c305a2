package dev.portcullis.runtime.error;

import java.util.List;
import java.util.Map;

/** A request with malformed fields: carries every violation found, not just the first. */
public final class InvalidRequestException extends DomainException {
    private static final long serialVersionUID = 1L;

    private final List<FieldViolation> violations;

    public InvalidRequestException(List<FieldViolation> violations) {
        super(Kind.INVALID, "INVALID_REQUEST", summary(violations), Map.of());
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid request needs at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    private static String summary(List<FieldViolation> violations) {
        return violations.size() == 1
                ? "invalid " + violations.get(0).field() + ": " + violations.get(0).description()
                : violations.size() + " invalid fields";
    }

    public List<FieldViolation> violations() {
        return violations;
    }
}
