package dev.portcullis.cli.dev;

import dev.portcullis.cli.command.ExitStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code portcullis dev}: the whole suite on this machine, for development. */
@Command(name = "dev", mixinStandardHelpOptions = true, subcommands = {DevServeCommand.class, DevTokenCommand.class},
        description = {
            "Runs all four services in one JVM on loopback with a dev PKI. FOR DEVELOPMENT ONLY.",
            "Writes DATA_DIR/dev.env with the addresses and the dev CI certificate; stops on Ctrl-C or SIGTERM.",
            "Runs a DEV ONLY OIDC issuer too and writes DATA_DIR/ci-token.jwt, a CI identity token for the demo repository's main.",
            "`portcullis dev serve NAME` runs one of the services in a process of its own instead;"
                    + " `portcullis dev token` mints a fresh dev token."})
public final class DevCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".portcullis",
            description = "Where the dev PKI, dev.env, databases and demo repository live (default: `${DEFAULT-VALUE}`,"
                    + " in the working directory).")
    Path dataDir;

    @Option(names = "--base-port", paramLabel = "N", defaultValue = "7443",
            description = "Gateway port; policy, executor and audit take the next three (default: ${DEFAULT-VALUE}). 0 picks free ports.")
    int basePort;

    @Option(names = "--demo", paramLabel = "TOOL", defaultValue = "auto",
            description = "What the demo a first start seeds runs: auto (terraform, else tofu, when on PATH; else sh),"
                    + " terraform, tofu or sh (default: ${DEFAULT-VALUE}). An existing data directory keeps its demo.")
    String demo;

    @Override
    public Integer call() throws InterruptedException {
        if (basePort < 0 || basePort > 65532) {
            throw new ParameterException(spec.commandLine(), "--base-port must be between 0 and 65532");
        }
        PrintWriter out = spec.commandLine().getOut();
        Clock clock = Clock.systemUTC();
        out.println("*** portcullis dev: FOR DEVELOPMENT ONLY. Dev CA, loopback only, nothing here is production-safe. ***");
        out.flush();
        Optional<DemoTool> demoTool = demoTool();
        DevMode dev = DevMode.start(DevModeOptions.in(dataDir).withBasePort(basePort).withClock(clock).withDemoTool(demoTool));
        CountDownLatch stopped = new CountDownLatch(1);
        ScheduledExecutorService renewal = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dev-pki-renewal");
            thread.setDaemon(true);
            return thread;
        });
        // certificates live a day; the services pick renewed files up from disk by themselves
        renewal.scheduleWithFixedDelay(() -> dev.pki().ensure(clock), 10, 10, TimeUnit.MINUTES);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            renewal.shutdownNow();
            dev.close();
            out.println("portcullis dev: stopped");
            out.flush();
            stopped.countDown();
        }, "dev-shutdown"));

        dev.ports().forEach((name, port) -> out.printf("  %-9s localhost:%d  (%s)%n", name, port,
                DevService.named(name).member().identity()));
        out.println("dev PKI:      " + dev.pki().dir().toAbsolutePath());
        out.println("environment:  " + dev.envFile().toAbsolutePath());
        out.println("catalog:      " + dev.catalogFile().toAbsolutePath() + "  (edit it: it reloads live)");
        out.println("demo repo:    " + dev.demoStatus());
        out.println("OIDC issuer:  " + dev.issuer().url() + "  (DEV ONLY: the gateway's issuer `dev`)");
        out.println("CI token:     " + dev.ciTokenStatus());
        out.println("console:      " + dev.consoleUrl() + "  (sign in at the DEV ONLY identity provider " + dev.signIn().url()
                + ": pick approver, auditor, admin or requester)");
        out.println("Try, in another terminal:");
        out.println("  set -a; . " + dev.envFile() + "; set +a; ./portcullis health");
        out.println("  ./portcullis plan --repo example --commit $(git -C " + dev.demoRepository() + " rev-parse main) \\");
        out.println("      --ref refs/heads/main --folder stage/app --env stage     (README.md, \"Try it\", goes on to apply)");
        out.println("  as a CI job with the dev token instead of the certificate: env -u PORTCULLIS_CERT_FILE -u PORTCULLIS_KEY_FILE \\");
        out.println("      ./portcullis plan ... --id-token-file " + DevMode.ciTokenFile(dataDir) + "   (another: ./portcullis dev token)");
        out.println("Stop with Ctrl-C.");
        out.flush();
        stopped.await();
        return ExitStatus.SUCCESS.code();
    }

    private Optional<DemoTool> demoTool() {
        return switch (demo) {
            case "auto" -> DemoTool.onPath();
            case "sh" -> Optional.empty();
            case "terraform", "tofu" -> Optional.of(DemoTool.named(demo).orElseThrow(() -> new ParameterException(
                    spec.commandLine(), "--demo " + demo + ": no executable '" + demo + "' on PATH; install it, or use --demo sh")));
            default -> throw new ParameterException(spec.commandLine(),
                    "--demo must be auto, terraform, tofu or sh (was '" + demo + "')");
        };
    }
}
