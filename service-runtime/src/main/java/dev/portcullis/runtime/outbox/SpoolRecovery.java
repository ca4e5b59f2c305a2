package dev.portcullis.runtime.outbox;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.portcullis.runtime.framing.FramedLog.Corrupt;
import dev.portcullis.runtime.framing.FramedLog.Frame;
import dev.portcullis.runtime.framing.FramedLog.Valid;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a spool directory back after a stop or a crash: deletes what was acknowledged, checks
 * every unacknowledged frame's CRC, and cuts a torn tail (a write the crash interrupted) so the
 * next append starts on a frame boundary. A corrupt frame followed by a valid one is skipped
 * alone; anything else unreadable ends its segment. Frames are never guessed at.
 */
final class SpoolRecovery {
    private static final Logger log = LoggerFactory.getLogger(SpoolRecovery.class);

    private SpoolRecovery() {}

    /**
     * What survived.
     *
     * @param segments the segments that still hold unacknowledged frames, oldest first
     * @param nextBase where a new segment may start: past every position used so far and past the marker
     * @param readStart spool position of the first unacknowledged frame (meaningful when segments is not empty)
     * @param frames unacknowledged frames, corrupt ones included (the reader skips them)
     * @param events unacknowledged frames whose CRC is valid
     * @param frameBytes bytes of the unacknowledged frames
     */
    record Recovered(List<Segment> segments, long nextBase, long readStart, long frames, long events, long frameBytes) {
        Recovered {
            segments = List.copyOf(segments);
        }
    }

    static Recovered recover(Path directory, long acked) throws IOException {
        Map<Long, Path> files = new TreeMap<>();
        try (Stream<Path> listing = Files.list(directory)) {
            listing.filter(Files::isRegularFile)
                    .forEach(file -> SpoolFormat.segmentBase(file).ifPresent(base -> files.put(base, file)));
        }
        List<Segment> kept = new ArrayList<>();
        long nextBase = acked;
        long readStart = -1;
        long frames = 0;
        long events = 0;
        long frameBytes = 0;
        for (Map.Entry<Long, Path> entry : files.entrySet()) {
            long base = entry.getKey();
            Path file = entry.getValue();
            long size = Files.size(file);
            nextBase = Math.max(nextBase, base + Math.max(size, SpoolFormat.SEGMENT_HEADER_BYTES));
            if (size < SpoolFormat.SEGMENT_HEADER_BYTES || base + size <= acked) {
                // a segment created by a crash before its header was written holds nothing
                Files.delete(file);
                continue;
            }
            long validEnd;
            try (FileChannel channel = FileChannel.open(file, READ, WRITE)) {
                if (!SpoolFormat.SEGMENT.hasHeader(channel)) {
                    throw new IllegalStateException("not an audit spool segment (unknown header): " + file);
                }
                long offset = SpoolFormat.SEGMENT_HEADER_BYTES;
                while (offset < size) {
                    Frame frame = SpoolFormat.SEGMENT.read(channel, offset, size);
                    if (frame instanceof Corrupt corrupt && offset + corrupt.frameBytes() < size
                            && SpoolFormat.SEGMENT.read(channel, offset + corrupt.frameBytes(), size) instanceof Valid) {
                        log.atWarn().addKeyValue("segment", file).addKeyValue("offset", offset)
                                .addKeyValue("frame_bytes", corrupt.frameBytes()).log("outbox.spool_frame_dropped");
                    } else if (!(frame instanceof Valid)) {
                        break;
                    }
                    if (base + offset + frame.frameBytes() > acked) {
                        if (readStart < 0) {
                            readStart = base + offset;
                        }
                        frames++;
                        frameBytes += frame.frameBytes();
                        if (frame instanceof Valid) {
                            events++;
                        }
                    }
                    offset += frame.frameBytes();
                }
                validEnd = offset;
                if (validEnd < size) {
                    log.atWarn().addKeyValue("segment", file).addKeyValue("offset", validEnd)
                            .addKeyValue("dropped_bytes", size - validEnd).log("outbox.spool_tail_dropped");
                    channel.truncate(validEnd);
                    channel.force(true);
                }
            }
            if (base + validEnd <= acked) {
                Files.delete(file);
                continue;
            }
            kept.add(new Segment(base, file, base + validEnd));
        }
        if (readStart < 0 && !kept.isEmpty()) {
            readStart = kept.get(0).firstFrame(); // only empty segments (a crash right after a roll)
        }
        return new Recovered(kept, nextBase, readStart, frames, events, frameBytes);
    }
}
