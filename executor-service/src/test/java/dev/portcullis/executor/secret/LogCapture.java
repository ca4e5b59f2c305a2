package dev.portcullis.executor.secret;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures everything the secret package logs, at every level, while open. */
final class LogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.portcullis.executor.secret");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level level;

    LogCapture() {
        level = logger.getLevel();
        logger.setLevel(Level.TRACE);
        appender.start();
        logger.addAppender(appender);
    }

    /** Each event as one line: level, message, then its key-value fields. */
    List<String> lines() {
        synchronized (appender) { // AppenderBase appends under this monitor
            return appender.list.stream()
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage() + " "
                            + (e.getKeyValuePairs() == null ? "" : e.getKeyValuePairs().stream()
                                    .map(kv -> kv.key + "=" + Objects.toString(kv.value))
                                    .collect(Collectors.joining(" "))))
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(level);
    }
}
