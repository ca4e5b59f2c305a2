package dev.portcullis.cli;

import static dev.portcullis.cli.command.ExitStatus.CANCELLED;
import static dev.portcullis.cli.command.ExitStatus.DENIED;
import static dev.portcullis.cli.command.ExitStatus.ERROR;
import static dev.portcullis.cli.command.ExitStatus.FAILED;
import static dev.portcullis.cli.command.ExitStatus.INVALID_CATALOG;
import static dev.portcullis.cli.command.ExitStatus.NOT_APPROVED;
import static dev.portcullis.cli.command.ExitStatus.SUCCESS;
import static dev.portcullis.cli.command.ExitStatus.TAMPERED;
import static dev.portcullis.cli.command.ExitStatus.UNHEALTHY;
import static dev.portcullis.cli.command.ExitStatus.USAGE;

import dev.portcullis.cli.audit.AlertsCommand;
import dev.portcullis.cli.audit.AuditCommand;
import dev.portcullis.cli.call.CallFailure;
import dev.portcullis.cli.call.ClientEventLoop;
import dev.portcullis.cli.catalog.CatalogCommand;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.dev.DevCommand;
import dev.portcullis.cli.health.HealthCommand;
import dev.portcullis.cli.pki.PkiCommand;
import dev.portcullis.cli.run.ApplyCommand;
import dev.portcullis.cli.run.ApproveCommand;
import dev.portcullis.cli.run.CancelCommand;
import dev.portcullis.cli.run.DriftCommand;
import dev.portcullis.cli.run.PlanCommand;
import dev.portcullis.cli.run.RejectCommand;
import dev.portcullis.cli.run.RunsCommand;
import dev.portcullis.runtime.error.InvalidRequestException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/** The {@code portcullis} command. */
@Command(
        name = "portcullis",
        mixinStandardHelpOptions = true,
        version = "portcullis 0.1.0",
        description = "Portcullis: the locked-down deploy server, the only path to production.")
public final class Portcullis implements Callable<Integer> {
    /**
     * The commands, in the order help lists them. Registered by hand, not in {@code @Command}: picocli
     * builds each registered command's model by reflection, about 300 ms for all of them, so a run of
     * one command registers only that one (see {@link #commandLine(String...)}).
     */
    private static final List<Class<?>> COMMANDS = List.of(DevCommand.class, PkiCommand.class, HealthCommand.class,
            PlanCommand.class, ApplyCommand.class, ApproveCommand.class, RejectCommand.class, CancelCommand.class,
            RunsCommand.class, DriftCommand.class, CatalogCommand.class, AuditCommand.class, AlertsCommand.class,
            CommandLine.HelpCommand.class);

    // held: java.util.logging keeps only weak references to loggers, and a collected one loses its level
    private static final Logger CHANNEL_LOG = Logger.getLogger("io.grpc.internal.ManagedChannelImpl");

    static {
        // grpc-java's channel logs a failed name lookup with its stack trace straight to stderr; the
        // call that fails with it is explained by CallFailure, so the warning would only add noise.
        // Here rather than in main: tests run commandLine(), and must see what a user sees
        CHANNEL_LOG.setLevel(Level.SEVERE);
    }

    /** Exit statuses each command can return beyond 0, 1 and 64, which every command can. */
    private static final Map<String, List<ExitStatus>> OUTCOMES = Map.ofEntries(
            Map.entry("plan", List.of(DENIED, NOT_APPROVED, FAILED, CANCELLED)),
            Map.entry("apply", List.of(DENIED, NOT_APPROVED, FAILED, CANCELLED)),
            Map.entry("runs watch", List.of(DENIED, NOT_APPROVED, FAILED, CANCELLED)),
            Map.entry("drift check", List.of(DENIED, FAILED, CANCELLED)),
            Map.entry("catalog validate", List.of(INVALID_CATALOG)),
            Map.entry("catalog explain", List.of(DENIED, INVALID_CATALOG)),
            Map.entry("audit verify", List.of(TAMPERED)),
            Map.entry("audit prove", List.of(TAMPERED)),
            Map.entry("audit consistency", List.of(TAMPERED)),
            Map.entry("audit sources", List.of(UNHEALTHY)),
            Map.entry("health", List.of(UNHEALTHY)));

    private static final String SLF4J_PROVIDER = "slf4j.provider";

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        loggingFor(args);
        int status = commandLine(args).execute(args);
        ClientEventLoop.shutdown(); // else the JVM's exit waits up to 300 ms for its threads
        System.exit(status);
    }

    /**
     * Only dev mode logs (its services). Every other command tells the user what happened on its
     * own output; for those, SLF4J gets no provider, else the first library to ask for a logger
     * (Netty, when a call opens a channel) starts logback and parses its XML: a third of a short
     * command's time. Netty then logs through java.util.logging, at WARNING and above. An explicit
     * {@code -Dslf4j.provider} stays.
     */
    static void loggingFor(String... args) {
        if (!(args.length > 0 && args[0].equals("dev")) && System.getProperty(SLF4J_PROVIDER) == null) {
            System.setProperty(SLF4J_PROVIDER, "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN"); // not SLF4J's own line that it took the provider
        }
    }

    /** {@code portcullis} alone: a command is missing. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a command is required, e.g. `portcullis dev` or `portcullis plan`");
    }

    /** The command line with every command, our error handling and exit statuses, for main and for tests. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for these arguments: when the first names a command, with that command alone
     * (what it does and says is the same as with all of them); with none for {@code --version} alone;
     * else (help, an unknown command, which gets suggestions) with every command.
     */
    public static CommandLine commandLine(String... args) {
        CommandLine commandLine = new CommandLine(new Portcullis());
        commandsFor(args).forEach(command -> commandLine.addSubcommand(new CommandLine(command)));
        commandLine.setParameterExceptionHandler(Portcullis::usageError);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            // expected failures carry a message meant for the user, anything else is cut to one line: never a stack trace
            line.getErr().println("portcullis: " + CallFailure.describe(e));
            // the CLI's own check of an option's value (every bad option named) is a usage error
            boolean usage = e instanceof InvalidRequestException;
            if (usage) {
                line.getErr().println(helpHint(line));
            }
            line.getErr().flush();
            return (usage ? ExitStatus.USAGE : ExitStatus.ERROR).code();
        });
        documentExitStatuses(commandLine, "");
        return commandLine;
    }

    private static List<Class<?>> commandsFor(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return List.of();
        }
        List<Class<?>> named = args.length == 0 || args[0].equals("help") ? List.of() : COMMANDS.stream()
                .filter(command -> command.getAnnotation(Command.class).name().equals(args[0])).toList();
        return named.isEmpty() ? COMMANDS : named;
    }

    /** Unknown command or option, missing or malformed option or argument: one line each and where help is, never the whole usage. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine line = e.getCommandLine();
        PrintWriter err = line.getErr();
        err.println("portcullis: " + message(e));
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println(helpHint(line));
        err.flush();
        return ExitStatus.USAGE.code();
    }

    /** picocli's "Unmatched argument at index 0: 'plna'" is, at a command's place, an unknown command. */
    private static String message(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched && !e.getCommandLine().getSubcommands().isEmpty()
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            return "unknown command '" + unmatched.getUnmatched().get(0) + "'";
        }
        return e.getMessage();
    }

    private static String helpHint(CommandLine line) {
        return "Try '" + line.getCommandSpec().qualifiedName() + " --help' for the commands, options and exit statuses.";
    }

    /** Puts the exit-status table into every command's --help: all of it on top, what can happen below. */
    private static void documentExitStatuses(CommandLine line, String path) {
        List<ExitStatus> statuses = new ArrayList<>();
        if (path.isEmpty()) {
            statuses.addAll(List.of(ExitStatus.values()));
        } else {
            statuses.addAll(List.of(SUCCESS, ERROR));
            // a group (runs, audit, catalog) can end as any of its commands can
            OUTCOMES.forEach((command, outcomes) -> {
                if (command.equals(path) || command.startsWith(path + " ")) {
                    outcomes.stream().filter(outcome -> !statuses.contains(outcome)).forEach(statuses::add);
                }
            });
            statuses.sort(Comparator.comparingInt(ExitStatus::code));
            statuses.add(USAGE);
        }
        line.getCommandSpec().usageMessage().exitCodeListHeading("%nExit status:%n")
                .exitCodeList(ExitStatus.helpList(statuses.toArray(ExitStatus[]::new)));
        line.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                documentExitStatuses(sub, (path + " " + name).strip());
            }
        });
    }
}
