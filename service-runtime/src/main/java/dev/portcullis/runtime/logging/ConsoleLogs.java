package dev.portcullis.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The log set-up of a service started from its main class (production): every event one line on
 * standard output through {@link LogLineEncoder}, JSON unless {@code PORTCULLIS_LOG_FORMAT=text};
 * the suite's own loggers at INFO, libraries at WARN. Done in code rather than by a
 * {@code logback.xml}, because in dev mode the four services and the CLI share one classpath, where
 * the CLI's own {@code logback.xml} (human-readable) applies. An operator's
 * {@code -Dlogback.configurationFile} is left in charge.
 */
public final class ConsoleLogs {
    /** The environment variable choosing {@code json} or {@code text}. */
    public static final String FORMAT_VARIABLE = "PORTCULLIS_LOG_FORMAT";

    private ConsoleLogs() {}

    /**
     * Configures logback for service {@code service}.
     *
     * @param environment where {@value #FORMAT_VARIABLE} is read
     * @throws IllegalArgumentException naming the variable when its value is neither json nor text
     */
    public static void install(String service, Map<String, String> environment) {
        String format = environment.getOrDefault(FORMAT_VARIABLE, "json");
        LogLineEncoder encoder = new LogLineEncoder();
        encoder.setFormat(format.isBlank() ? "json" : format);
        encoder.setService(service);
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return; // another SLF4J backend was put on the classpath: it keeps its own configuration
        }
        context.reset();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("stdout");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        context.getLogger("dev.portcullis").setLevel(Level.INFO);
    }
}
