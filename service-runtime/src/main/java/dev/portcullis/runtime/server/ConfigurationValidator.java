package dev.portcullis.runtime.server;

import io.micronaut.context.BeanResolutionContext;
import io.micronaut.context.Qualifier;
import io.micronaut.context.annotation.ConfigurationReader;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.exceptions.BeanInstantiationException;
import io.micronaut.core.naming.Named;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.core.type.Argument;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.InjectionPoint;
import io.micronaut.validation.validator.DefaultValidator;
import io.micronaut.validation.validator.ValidatorConfiguration;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import java.util.Optional;
import java.util.Set;

/**
 * Micronaut's validator, except that a configuration record's refused value fails start-up with
 * an {@link InvalidConfigurationException} naming the full key and the value, instead of a
 * message naming only the Java parameter. {@link StartupFailure#describe} renders it.
 */
@Singleton
@Replaces(DefaultValidator.class)
final class ConfigurationValidator extends DefaultValidator {
    ConfigurationValidator(ValidatorConfiguration configuration) {
        super(configuration);
    }

    @Override
    public <T> void validateBeanArgument(BeanResolutionContext context, InjectionPoint injectionPoint, Argument<T> argument,
            int index, T value) {
        try {
            super.validateBeanArgument(context, injectionPoint, argument, index, value);
        } catch (BeanInstantiationException refused) {
            BeanDefinition<?> bean = injectionPoint.getDeclaringBean();
            Optional<String> prefix = bean.stringValue(ConfigurationReader.class, ConfigurationReader.PREFIX);
            Set<? extends ConstraintViolation<?>> violations = forExecutables().validateConstructorParameters(
                    bean.getBeanType(), new Argument<?>[] {argument}, new Object[] {value}, new Class<?>[0]);
            if (prefix.isEmpty() || violations.isEmpty()) {
                throw refused;
            }
            String key = named(prefix.get(), context) + "." + NameUtils.hyphenate(argument.getName());
            throw new BeanInstantiationException(context, new InvalidConfigurationException(key, violations));
        }
    }

    /** The prefix with the {@code *} of an {@code @EachProperty} replaced by the instance's name. */
    private static String named(String prefix, BeanResolutionContext context) {
        if (!prefix.endsWith(".*")) {
            return prefix;
        }
        Qualifier<?> qualifier = context.getCurrentQualifier();
        String name = qualifier instanceof Named named ? named.getName() : "*";
        return prefix.substring(0, prefix.length() - 1) + name;
    }
}
