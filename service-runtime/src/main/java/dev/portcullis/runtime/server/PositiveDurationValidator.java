package dev.portcullis.runtime.server;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.core.annotation.AnnotationValue;
import io.micronaut.validation.validator.constraints.ConstraintValidator;
import io.micronaut.validation.validator.constraints.ConstraintValidatorContext;
import jakarta.inject.Singleton;
import java.time.Duration;

/** Checks {@link PositiveDuration}: "must be a positive duration[ of at most MAX]". */
@Singleton
final class PositiveDurationValidator implements ConstraintValidator<PositiveDuration, Duration> {
    @Override
    public boolean isValid(Duration value, AnnotationValue<PositiveDuration> constraint, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        String max = constraint.stringValue("max").orElse("");
        if (!max.isEmpty()) {
            context.messageTemplate("must be a positive duration of at most " + max);
        }
        return !value.isNegative() && !value.isZero() && (max.isEmpty() || value.compareTo(DurationText.parse(max)) <= 0);
    }
}
