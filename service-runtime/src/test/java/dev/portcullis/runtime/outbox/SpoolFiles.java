package dev.portcullis.runtime.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Looks at and damages spool files the way a crash or a bad disk would. */
final class SpoolFiles {
    private SpoolFiles() {}

    static List<Path> segments(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().matches("segment-\\d{20}\\.spool")).sorted().toList();
        }
    }

    static Path onlySegment(Path directory) throws IOException {
        List<Path> segments = segments(directory);
        if (segments.size() != 1) {
            throw new AssertionError("expected one segment, found " + segments);
        }
        return segments.get(0);
    }

    /** File offsets of the frames in {@code segment}, read from their length prefixes. */
    static List<Long> frameOffsets(Path segment) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
        List<Long> offsets = new ArrayList<>();
        int offset = SpoolFormat.SEGMENT_HEADER_BYTES;
        while (offset + SpoolFormat.FRAME_HEADER_BYTES <= bytes.limit()) {
            offsets.add((long) offset);
            offset += SpoolFormat.FRAME_HEADER_BYTES + bytes.getInt(offset);
        }
        return offsets;
    }

    static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[Math.toIntExact(offset)] ^= 0x40;
        Files.write(file, bytes);
    }

    static void truncate(Path file, long size) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, Math.toIntExact(size)));
    }
}
