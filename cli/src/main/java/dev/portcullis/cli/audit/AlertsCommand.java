package dev.portcullis.cli.audit;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.v1.Alert;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.ListAlertsResponse;
import dev.portcullis.v1.WatchAlertsRequest;
import dev.portcullis.v1.WatchAlertsResponse;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis alerts list|watch}. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = "Lists and follows the alerts the audit service's anomaly rules raise (auditor or admin identity).",
        subcommands = {AlertsCommand.ListAlerts.class, AlertsCommand.Watch.class})
public final class AlertsCommand {

    private static final String ROW = "%-6s %-24s %-9s %-24s %s%n";

    static void header(PrintWriter out) {
        out.printf(ROW, "SEQ", "RAISED", "SEVERITY", "RULE", "SUMMARY");
    }

    static void print(PrintWriter out, Alert alert) {
        out.printf(ROW, alert.getSequence(),
                Instant.ofEpochSecond(alert.getRaisedAt().getSeconds(), alert.getRaisedAt().getNanos()),
                alert.getSeverity().name().substring("ALERT_SEVERITY_".length()), alert.getRule(), alert.getSummary());
        out.flush();
    }

    /** {@code portcullis alerts list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Prints stored alerts, newest first.")
    static final class ListAlerts implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AuditCommand.Connection connection;

        @Option(names = "--rule", paramLabel = "RULE", description = "Only this rule, e.g. auth_failure_burst.") String rule;
        @Option(names = "--limit", defaultValue = "50", paramLabel = "N",
                description = "At most this many alerts, newest first (default: ${DEFAULT-VALUE}; at most 500).")
        int limit;

        @Override
        public Integer call() {
            ManagedChannel channel = connection.open();
            try {
                ListAlertsRequest.Builder request = ListAlertsRequest.newBuilder().setPageSize(Math.min(limit, 500));
                if (rule != null) {
                    request.setRule(rule);
                }
                ListAlertsResponse page = AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .listAlerts(request.build());
                PrintWriter out = spec.commandLine().getOut();
                header(out);
                page.getAlertsList().forEach(alert -> print(out, alert));
                out.flush();
                return ExitStatus.SUCCESS.code();
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** {@code portcullis alerts watch}. */
    @Command(name = "watch", mixinStandardHelpOptions = true, description = "Prints alerts as they are raised (the table header with the first), until interrupted.")
    static final class Watch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AuditCommand.Connection connection;

        @Option(names = "--after", paramLabel = "SEQ", description = "Start after this alert sequence (0: every stored alert); default: only new ones.")
        Long after;

        @Override
        public Integer call() {
            ManagedChannel channel = connection.open();
            try {
                Iterator<WatchAlertsResponse> alerts = AuditServiceGrpc.newBlockingStub(channel)
                        .watchAlerts(after == null ? WatchAlertsRequest.getDefaultInstance()
                                : WatchAlertsRequest.newBuilder().setAfterSequence(after).build());
                // makes the call and waits for the first alert: a failed call throws here, before the table header
                boolean more = alerts.hasNext();
                PrintWriter out = spec.commandLine().getOut();
                header(out);
                out.flush();
                while (more) {
                    print(out, alerts.next().getAlert());
                    more = alerts.hasNext();
                }
                return ExitStatus.SUCCESS.code();
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
