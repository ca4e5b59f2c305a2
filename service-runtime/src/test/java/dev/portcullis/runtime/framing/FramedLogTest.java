package dev.portcullis.runtime.framing;

import static java.nio.file.StandardOpenOption.READ;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.framing.FramedLog.Corrupt;
import dev.portcullis.runtime.framing.FramedLog.Frame;
import dev.portcullis.runtime.framing.FramedLog.Torn;
import dev.portcullis.runtime.framing.FramedLog.Valid;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FramedLogTest {
    private static final FramedLog FORMAT = new FramedLog(0x54455354, 1, 64);

    @TempDir
    Path dir;

    @Test
    void framesWrittenAfterTheHeaderReadBackInOrder() throws Exception {
        Path file = write(FORMAT.header(), FORMAT.frame(bytes("one")), FORMAT.frame(bytes("two")));

        try (FileChannel channel = FileChannel.open(file, READ)) {
            long limit = channel.size();
            Frame first = FORMAT.read(channel, FramedLog.HEADER_BYTES, limit);
            Frame second = FORMAT.read(channel, FramedLog.HEADER_BYTES + first.frameBytes(), limit);

            assertTrue(FORMAT.hasHeader(channel));
            assertArrayEquals(bytes("one"), assertInstanceOf(Valid.class, first).payload());
            assertArrayEquals(bytes("two"), assertInstanceOf(Valid.class, second).payload());
            assertInstanceOf(Torn.class, FORMAT.read(channel, limit, limit));
        }
    }

    @Test
    void aFrameCutShortIsTornAndAFlippedPayloadByteIsCorrupt() throws Exception {
        byte[] whole = FORMAT.frame(bytes("payload")).array();
        byte[] flipped = whole.clone();
        flipped[whole.length - 1] ^= 1;
        Path cut = write(ByteBuffer.wrap(whole, 0, whole.length - 1));
        Path corrupt = write(ByteBuffer.wrap(flipped));

        try (FileChannel cutChannel = FileChannel.open(cut, READ); FileChannel corruptChannel = FileChannel.open(corrupt, READ)) {
            assertInstanceOf(Torn.class, FORMAT.read(cutChannel, 0, cutChannel.size()));
            assertEquals(whole.length, assertInstanceOf(Corrupt.class, FORMAT.read(corruptChannel, 0, corruptChannel.size())).frameBytes());
        }
    }

    @Test
    void theCrcCoversTheLengthSoAFlippedLengthIsNotValid() throws Exception {
        byte[] frame = FORMAT.frame(bytes("payload-with-room")).array();
        frame[3] ^= 1; // a length one off, still plausible
        Path file = write(ByteBuffer.wrap(frame), ByteBuffer.wrap(new byte[8]));

        try (FileChannel channel = FileChannel.open(file, READ)) {
            assertFalse(FORMAT.read(channel, 0, channel.size()) instanceof Valid);
        }
    }

    @Test
    void framesOfTheOlderPayloadOnlyCrcAreReadOnlyByTheOlderRule() throws Exception {
        byte[] payload = bytes("written before the framing was shared");
        CRC32 crc = new CRC32();
        crc.update(payload);
        Path file = write(ByteBuffer.allocate(8 + payload.length).putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip());

        try (FileChannel channel = FileChannel.open(file, READ)) {
            assertArrayEquals(payload, assertInstanceOf(Valid.class, FORMAT.readPayloadOnlyCrc(channel, 0, channel.size())).payload());
            assertInstanceOf(Corrupt.class, FORMAT.read(channel, 0, channel.size()));
            assertFalse(FORMAT.hasHeader(channel));
        }
    }

    @Test
    void payloadsMustBeOneToTheMaximumBytes() {
        assertThrows(IllegalArgumentException.class, () -> FORMAT.frame(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> FORMAT.frame(new byte[65]));
        assertEquals(8 + 64, FORMAT.frame(new byte[64]).remaining());
    }

    private Path write(ByteBuffer... parts) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (ByteBuffer part : parts) {
            bytes.write(part.array(), part.arrayOffset() + part.position(), part.remaining());
        }
        return Files.write(Files.createTempFile(dir, "framed", ".log"), bytes.toByteArray());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
