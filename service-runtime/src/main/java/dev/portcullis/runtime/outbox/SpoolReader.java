package dev.portcullis.runtime.outbox;

import static java.nio.file.StandardOpenOption.READ;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.framing.FramedLog.Corrupt;
import dev.portcullis.runtime.framing.FramedLog.Frame;
import dev.portcullis.runtime.framing.FramedLog.Valid;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads durable frames in spool order, for the shipping thread alone (not thread-safe). It
 * reads only as many frames as it is told are durable, and only up to the end of a segment
 * that the outbox published, so it never sees a frame still being written.
 */
final class SpoolReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpoolReader.class);

    /** A segment's readable bytes, and where in it to read next. */
    record Window(Path file, long base, long position, long end) {}

    /**
     * A batch of consecutive frames.
     *
     * @param events the events to ship, in order
     * @param frames frames consumed, corrupt ones included
     * @param validFrames frames whose CRC matched (events plus any that could not be decoded)
     * @param frameBytes bytes of the frames consumed
     * @param end spool position after the last frame: the marker once the batch is acknowledged
     */
    record Batch(List<AuditEvent> events, int frames, int validFrames, long frameBytes, long end) {
        Batch {
            events = List.copyOf(events);
        }
    }

    private final LongFunction<Window> locate;
    private long position;
    private Path openFile;
    private FileChannel channel; // of openFile; null when none is open

    /**
     * @param locate the segment window holding the frame at or after a spool position
     * @param start spool position of the first frame to read
     */
    SpoolReader(LongFunction<Window> locate, long start) {
        this.locate = requireNonNull(locate, "locate is null");
        this.position = start;
    }

    /**
     * Reads up to {@code maxFrames} frames whose events add up to at most {@code maxPayloadBytes}
     * (a single larger event is still read alone). Advances only when it returns normally.
     *
     * @throws IllegalStateException when the spool changed under the outbox (a frame that
     *     recovery accepted no longer parses)
     */
    Batch read(int maxFrames, long maxPayloadBytes) throws IOException {
        List<AuditEvent> events = new ArrayList<>();
        int frames = 0;
        int validFrames = 0;
        long frameBytes = 0;
        long payloadBytes = 0;
        long at = position;
        Window window = null;
        while (frames < maxFrames) {
            if (window == null || at >= window.end()) {
                window = locate.apply(at);
                at = window.position();
                if (at >= window.end()) {
                    break;
                }
                open(window.file());
            }
            Frame frame = SpoolFormat.SEGMENT.read(channel, at - window.base(), window.end() - window.base());
            if (frame instanceof Valid valid) {
                if (!events.isEmpty() && payloadBytes + valid.payload().length > maxPayloadBytes) {
                    break;
                }
                payloadBytes += valid.payload().length;
                validFrames++;
                decode(valid.payload(), window.file(), at - window.base()).ifPresent(events::add);
            } else if (!(frame instanceof Corrupt)) {
                // recovery left only valid and skippable frames: someone changed the file since
                throw new IllegalStateException("the audit spool is damaged at position " + at);
            }
            frames++;
            frameBytes += frame.frameBytes();
            at += frame.frameBytes();
        }
        position = at;
        return new Batch(events, frames, validFrames, frameBytes, at);
    }

    private static Optional<AuditEvent> decode(byte[] payload, Path file, long offset) {
        try {
            return Optional.of(AuditEvents.decode(payload));
        } catch (IllegalArgumentException e) {
            // its CRC matched, so it was written like this: by a newer version that knows more actions
            log.atError().addKeyValue("segment", file).addKeyValue("offset", offset)
                    .addKeyValue("problem", e.getMessage()).log("outbox.event_unreadable");
            return Optional.empty();
        }
    }

    private void open(Path file) throws IOException {
        if (channel != null && channel.isOpen() && file.equals(openFile)) {
            return;
        }
        close();
        channel = FileChannel.open(file, READ);
        openFile = file;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            FileChannel closing = channel;
            channel = null;
            openFile = null;
            closing.close();
        }
    }
}
