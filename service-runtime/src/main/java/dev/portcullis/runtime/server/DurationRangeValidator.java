package dev.portcullis.runtime.server;

import dev.portcullis.runtime.config.DurationRange;
import io.micronaut.core.annotation.AnnotationValue;
import io.micronaut.validation.validator.constraints.ConstraintValidator;
import io.micronaut.validation.validator.constraints.ConstraintValidatorContext;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Checks {@link DurationRange}: "must not be negative" for a lower bound of zero and no upper
 * bound, "must be at least MIN" or "must be between MIN and MAX" otherwise.
 */
@Singleton
final class DurationRangeValidator implements ConstraintValidator<DurationRange, Duration> {
    @Override
    public boolean isValid(Duration value, AnnotationValue<DurationRange> constraint, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        String min = constraint.stringValue("min").orElseThrow();
        String max = constraint.stringValue("max").orElse("");
        Duration least = DurationText.parse(min);
        if (max.isEmpty()) {
            context.messageTemplate(least.isZero() ? "must not be negative" : "must be at least " + min);
            return value.compareTo(least) >= 0;
        }
        context.messageTemplate("must be between " + min + " and " + max);
        return value.compareTo(least) >= 0 && value.compareTo(DurationText.parse(max)) <= 0;
    }
}
