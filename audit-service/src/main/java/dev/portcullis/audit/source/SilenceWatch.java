package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs {@link SourceMonitor#checkSilence()} every interval on a daemon thread until closed. */
public final class SilenceWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SilenceWatch.class);

    private final ScheduledExecutorService timer;

    public SilenceWatch(SourceMonitor monitor, Duration interval) {
        requireNonNull(monitor, "monitor is null");
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "audit-silence-watch");
            thread.setDaemon(true);
            return thread;
        });
        long period = requireNonNull(interval, "interval is null").toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                monitor.checkSilence().forEach(source ->
                        log.atWarn().addKeyValue("source", source.value()).log("audit.source_silent"));
            } catch (RuntimeException e) {
                // the store may be down; the next round tries again
                log.atWarn().setCause(e).log("audit.silence_check_failed");
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
