package dev.portcullis.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** The CLI's (and dev mode's) logback.xml: human-readable lines through the suite's encoder. */
class LogConfigurationTest {
    @Test
    void cliAndDevModeLogTextThroughTheSuitesEncoder() throws Exception {
        URL configuration = LogConfigurationTest.class.getClassLoader().getResource("logback.xml");
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);

        configurator.doConfigure(configuration);

        assertTrue(context.getStatusManager().getCopyOfStatusList().stream().allMatch(s -> s.getLevel() < Status.WARN),
                context.getStatusManager().getCopyOfStatusList().toString());
        OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>)
                context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        LoggingEvent event = new LoggingEvent();
        event.setLoggerName("dev.portcullis.gateway.run.RunDriver");
        event.setLevel(Level.INFO);
        event.setMessage("run.dispatched");
        event.setLoggerContext(context);
        event.setMDCPropertyMap(java.util.Map.of());
        String line = new String(appender.getEncoder().encode(event), UTF_8);
        assertTrue(line.matches("\\S+ INFO  RunDriver run\\.dispatched\\R"), line);
        assertEquals(Level.INFO, context.getLogger("dev.portcullis").getLevel());
        context.stop();
    }
}
