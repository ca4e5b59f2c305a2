package dev.portcullis.runtime.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Objects;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Captures what one class logs while open, at every level. Tests filter by a key-value field they
 * own (their temp dir, a unique name).
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level level;

    public LogCapture(Class<?> source) {
        // SLF4J initialises under this lock; a logger asked for meanwhile from another thread (tests
        // run in parallel) would be a stand-in, not logback's
        synchronized (LoggerFactory.class) {
            LoggerFactory.getILoggerFactory();
        }
        this.logger = (Logger) LoggerFactory.getLogger(source);
        this.level = logger.getLevel();
        logger.setLevel(Level.TRACE);
        appender.start();
        logger.addAppender(appender);
    }

    /** Events with {@code message} at {@code level} whose field {@code key} contains {@code value}. */
    public List<ILoggingEvent> events(String level, String message, String key, String value) {
        synchronized (appender) { // AppenderBase appends under this monitor
            return appender.list.stream()
                    .filter(e -> e.getLevel().toString().equals(level) && e.getMessage().equals(message))
                    .filter(e -> e.getKeyValuePairs() != null && e.getKeyValuePairs().stream()
                            .anyMatch((KeyValuePair kv) -> kv.key.equals(key)
                                    && Objects.toString(kv.value).contains(value)))
                    .toList();
        }
    }

    /** Every event at {@code level}, whatever its message and fields. */
    public List<ILoggingEvent> events(String level) {
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getLevel().toString().equals(level)).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(level);
        appender.stop();
    }
}
