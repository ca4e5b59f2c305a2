package dev.portcullis.runtime.config;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * A configured {@link java.time.Duration} longer than zero and, when {@link #max} is set, no
 * longer than it. An absent value is valid: whether a key is required is a separate rule.
 * Checked by {@code dev.portcullis.runtime.server.PositiveDurationValidator} when the record is bound.
 */
@Documented
@Retention(RUNTIME)
@Target({FIELD, METHOD, PARAMETER, TYPE_USE})
@Constraint(validatedBy = {})
public @interface PositiveDuration {
    /** The longest accepted value in configuration syntax ({@code 500ms}, {@code 5m}, {@code 1d}); empty for no bound. */
    String max() default "";

    String message() default "must be a positive duration";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
