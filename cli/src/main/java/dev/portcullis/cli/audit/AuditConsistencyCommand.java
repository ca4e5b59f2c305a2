package dev.portcullis.cli.audit;

import dev.portcullis.audit.api.ExportFormat;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.audit.chain.VerificationReport;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.command.FileArguments;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.VerifyResponse;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis audit consistency --since FILE}: proves today's log extends a checkpoint saved
 * earlier (by {@code audit verify}, or kept by hand): no event it covers was changed or removed.
 */
@Command(name = "consistency", mixinStandardHelpOptions = true,
        description = {"Proves the log extends a saved checkpoint (RFC 9162 consistency proof); exit 0 CONSISTENT,"
            + " 6 INCONSISTENT.", "With --offline, checks an export instead of the service."})
final class AuditConsistencyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AuditCommand.Connection connection;

    @Mixin
    AuditCommand.Trust trust;

    @Option(names = "--since", paramLabel = "CHECKPOINT_FILE", required = true,
            description = "A saved signed checkpoint, e.g. ~/.config/portcullis/audit/ORIGIN.checkpoint.")
    Path since;

    @Option(names = "--offline", paramLabel = "FILE", description = "An export from `portcullis audit export`.")
    Path offline;

    @Override
    public Integer call() throws IOException {
        PublicKey key = trust.requiredKey(spec, ": the checkpoints are checked with it");
        FileArguments.existingFile(spec, "--since", since);
        PrintWriter out = spec.commandLine().getOut();
        Optional<TreeHead> saved = CheckpointSigner.open(Files.readString(since, StandardCharsets.UTF_8), key);
        if (saved.isEmpty()) {
            out.println("INCONSISTENT: " + since + " is not a checkpoint signed with the key");
            out.flush();
            return ExitStatus.TAMPERED.code();
        }
        boolean consistent = offline != null ? offline(out, key, saved.get()) : online(out, key, saved.get());
        out.flush();
        return (consistent ? ExitStatus.SUCCESS : ExitStatus.TAMPERED).code();
    }

    private boolean online(PrintWriter out, PublicKey key, TreeHead saved) {
        ManagedChannel channel = connection.open();
        try {
            var stub = AuditServiceGrpc.newBlockingStub(channel);
            VerifyResponse verified = stub.withDeadlineAfter(600, TimeUnit.SECONDS).verify(VerifyRequest.getDefaultInstance());
            Optional<TreeHead> current = CheckpointSigner.open(verified.getLatestSignedCheckpoint(), key);
            if (current.isEmpty()) {
                return report(out, new LogConsistency(false, "the service has no checkpoint that verifies with the key"),
                        verified.getIntact(), verified.getFirstBrokenSequence(), verified.getProblem());
            }
            return report(out, LogConsistency.online(stub, saved, current.get()), verified.getIntact(),
                    verified.getFirstBrokenSequence(), verified.getProblem());
        } finally {
            channel.shutdownNow();
        }
    }

    private boolean offline(PrintWriter out, PublicKey key, TreeHead saved) throws IOException {
        FileArguments.existingFile(spec, "--offline", offline);
        ExportFormat.Export export;
        try (BufferedReader in = Files.newBufferedReader(offline, StandardCharsets.UTF_8)) {
            export = ExportFormat.read(in);
        }
        VerificationReport report = ExportFormat.verify(export, key);
        return report(out, LogConsistency.offline(export, saved), report.intact(), report.firstBrokenSequence(), report.problem());
    }

    /** Prints the verdict; where the chain itself breaks, that names the first bad sequence. */
    private static boolean report(PrintWriter out, LogConsistency consistency, boolean chainIntact, long firstBroken,
            String problem) {
        boolean consistent = consistency.consistent() && chainIntact;
        out.println(consistent ? "CONSISTENT" : "INCONSISTENT");
        out.println("  " + consistency.detail());
        if (!chainIntact) {
            out.println("  first broken at:     " + firstBroken);
            out.println("  problem:             " + problem);
        }
        return consistent;
    }
}
