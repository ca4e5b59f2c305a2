package dev.portcullis.runtime.testing;

import io.micronaut.context.ApplicationContext;
import java.util.Map;

/**
 * Binds a configuration record the way a service does at start-up: through a real Micronaut
 * context holding exactly {@code properties}, with environment variables and environment
 * deduction off so the machine running the tests cannot leak settings in.
 */
public final class ConfigBinding {
    private ConfigBinding() {}

    /**
     * The bound {@code type}; throws what Micronaut throws when binding fails (pass it to
     * {@code StartupFailure.describe} for the operator's message).
     */
    public static <T> T bind(Class<T> type, Map<String, Object> properties) {
        try (ApplicationContext context = ApplicationContext.builder()
                .properties(properties)
                .environmentPropertySource(false)
                .deduceEnvironment(false)
                .banner(false)
                .start()) {
            return context.getBean(type);
        }
    }
}
