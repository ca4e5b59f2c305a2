package dev.portcullis.audit.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.portcullis.audit.chain.ChainHash;
import dev.portcullis.audit.chain.ChainVerifier;
import dev.portcullis.audit.chain.VerificationReport;
import dev.portcullis.v1.AuditExportRecord;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.Checkpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.security.PublicKey;

/**
 * The audit export: JSON lines, each an {@code AuditExportRecord} in protobuf's canonical JSON
 * mapping; events oldest first, then the newest signed checkpoint. Verifiable offline with the
 * audit service's public key alone.
 */
public final class ExportFormat {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private ExportFormat() {}

    public static void writeEvent(Writer out, ChainedEvent event) throws IOException {
        out.write(PRINTER.print(AuditExportRecord.newBuilder().setEvent(event).build()));
        out.write('\n');
    }

    public static void writeCheckpoint(Writer out, Checkpoint checkpoint) throws IOException {
        out.write(PRINTER.print(AuditExportRecord.newBuilder().setCheckpoint(checkpoint).build()));
        out.write('\n');
    }

    /**
     * Verifies an export: recomputes every hash from the first event in the file (which must
     * chain from the genesis hash, so exports start at sequence 1) and checks the checkpoint's
     * signature, the event it names, and that no covered event is missing.
     *
     * @throws IllegalArgumentException naming the line when the file is not an export
     */
    public static VerificationReport verify(BufferedReader in, PublicKey key) throws IOException {
        ChainVerifier verifier = new ChainVerifier(1, ChainHash.GENESIS);
        java.util.List<dev.portcullis.audit.chain.StoredEvent> events = new java.util.ArrayList<>();
        dev.portcullis.audit.chain.Checkpoint checkpoint = null;
        long newest = 0;
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            AuditExportRecord.Builder record = AuditExportRecord.newBuilder();
            try {
                PARSER.merge(line, record);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("line " + number + " is not an audit export record");
            }
            switch (record.getRecordCase()) {
                case EVENT -> {
                    try {
                        events.add(ChainedEvents.fromProto(record.getEvent()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("line " + number + ": " + e.getMessage());
                    }
                    newest = Math.max(newest, record.getEvent().getSequence());
                }
                case CHECKPOINT -> checkpoint = ChainedEvents.fromProto(record.getCheckpoint());
                default -> throw new IllegalArgumentException("line " + number + " holds no record");
            }
        }
        if (checkpoint != null) {
            verifier.withCheckpoint(checkpoint);
        }
        for (var event : events) {
            if (!verifier.accept(event)) {
                break;
            }
        }
        return verifier.finish(newest, key);
    }
}
