package dev.portcullis.console.audit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What a page shows of a signed checkpoint (a C2SP signed note whose body is a tlog-checkpoint:
 * origin, tree size, base64 root hash; then a blank line and one {@code — NAME SIGNATURE} line per
 * signer). Read for display only: the audit service verified it, and {@code portcullis audit
 * verify} checks signatures with the key; the console holds no key and checks none.
 */
record CheckpointNote(String origin, long treeSize, String rootHashHex, List<String> signers) {

    CheckpointNote {
        requireNonNull(origin, "origin is null");
        requireNonNull(rootHashHex, "rootHashHex is null");
        signers = List.copyOf(signers);
    }

    /** The note's fields; empty when {@code note} is empty or not a checkpoint. */
    static Optional<CheckpointNote> parse(String note) {
        String[] lines = note.split("\n", -1);
        if (lines.length < 3) {
            return Optional.empty();
        }
        try {
            long size = Long.parseLong(lines[1]);
            byte[] root = Base64.getDecoder().decode(lines[2]);
            List<String> signers = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("\u2014 ")) {
                    String[] parts = line.split(" ");
                    if (parts.length >= 2) {
                        signers.add(parts[1]);
                    }
                }
            }
            return size < 0 ? Optional.empty() : Optional.of(new CheckpointNote(lines[0], size, HexFormat.of().formatHex(root), signers));
        } catch (IllegalArgumentException e) { // NumberFormatException included
            return Optional.empty();
        }
    }
}
