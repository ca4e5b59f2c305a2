package dev.portcullis.cli;

import dev.portcullis.cli.audit.AlertsCommand;
import dev.portcullis.cli.audit.AuditCommand;
import dev.portcullis.cli.catalog.CatalogCommand;
import dev.portcullis.cli.dev.DevCommand;
import dev.portcullis.cli.health.HealthCommand;
import dev.portcullis.cli.pki.PkiCommand;
import dev.portcullis.cli.run.ApplyCommand;
import dev.portcullis.cli.run.ApproveCommand;
import dev.portcullis.cli.run.CancelCommand;
import dev.portcullis.cli.run.PlanCommand;
import dev.portcullis.cli.run.RejectCommand;
import dev.portcullis.cli.run.RunsCommand;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code portcullis} command. */
@Command(
        name = "portcullis",
        mixinStandardHelpOptions = true,
        version = "portcullis 0.1.0",
        description = "Portcullis: the locked-down deploy server, the only path to production.",
        subcommands = {DevCommand.class, PkiCommand.class, HealthCommand.class, PlanCommand.class, ApplyCommand.class,
            ApproveCommand.class, RejectCommand.class, CancelCommand.class, RunsCommand.class, CatalogCommand.class,
            AuditCommand.class, AlertsCommand.class, CommandLine.HelpCommand.class})
public final class Portcullis {
    // held: java.util.logging keeps only weak references to loggers, and a collected one loses its level
    private static final Logger CHANNEL_LOG = Logger.getLogger("io.grpc.internal.ManagedChannelImpl");

    public static void main(String[] args) {
        // grpc-java's channel logs a failed name lookup with its stack trace straight to stderr; the
        // call that fails with it is explained by CallFailure, so the warning would only add noise
        CHANNEL_LOG.setLevel(Level.SEVERE);
        System.exit(commandLine().execute(args));
    }

    /** The command line with our error handling, for main and for tests. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Portcullis());
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            // expected failures carry a message meant for the user, anything else is cut to one line: never a stack trace
            line.getErr().println("portcullis: " + CallFailure.describe(e));
            line.getErr().flush();
            return 1;
        });
        return commandLine;
    }
}
