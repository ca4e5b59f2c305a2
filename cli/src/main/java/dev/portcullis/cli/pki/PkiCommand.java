package dev.portcullis.cli.pki;

import dev.portcullis.cli.command.DurationConverter;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.IssuedCertificate;
import dev.portcullis.runtime.pki.Validity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis pki}: the development PKI. */
@Command(name = "pki", mixinStandardHelpOptions = true,
        description = "Development PKI: a dev CA and certificates with SPIFFE identities (ECDSA P-256). Never for production.",
        subcommands = {PkiCommand.Init.class, PkiCommand.Issue.class})
public final class PkiCommand {

    /** {@code portcullis pki init DIR}. */
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Creates a dev CA and certificates for the four services, a CI caller, an approver, an auditor and an admin.")
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "Directory to write ca.pem, ca.key, NAME.pem and NAME.key to.")
        Path dir;

        @Option(names = "--force", description = "Replace an existing PKI in DIR.")
        boolean force;

        @Override
        public Integer call() {
            DevPki pki = new DevPki(dir);
            if (Files.exists(pki.caFile()) && !force) {
                throw new IllegalStateException(dir + " already holds a PKI (ca.pem); pass --force to replace it");
            }
            pki.init(Clock.systemUTC());
            var out = spec.commandLine().getOut();
            out.printf("dev PKI written to %s (CA valid %s, certificates valid %s)%n",
                    dir, DevPki.CA_VALIDITY, DevPki.LEAF_VALIDITY);
            for (DevPki.Member member : DevPki.Member.values()) {
                out.printf("  %-9s %s  %s%n", member.fileName(), member.identity(), pki.certFile(member.fileName()));
            }
            return ExitStatus.SUCCESS.code();
        }
    }

    /** {@code portcullis pki issue}. */
    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issues one more certificate from the dev CA in DIR as NAME.pem and NAME.key.")
    static final class Issue implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "Directory holding the dev CA (from `pki init`).")
        Path dir;

        @Option(names = "--name", required = true, description = "Base name of the files to write.")
        String name;

        @Option(names = "--id", required = true, description = "SPIFFE ID, e.g. spiffe://portcullis.dev/ci/github/acme/infra-live")
        String id;

        @Option(names = "--dns", split = ",", description = "DNS names for a server certificate.")
        List<String> dns = new ArrayList<>();

        @Option(names = "--ip", split = ",", description = "IP addresses for a server certificate.")
        List<String> ips = new ArrayList<>();

        @Option(names = "--valid-for", defaultValue = "24h", converter = DurationConverter.class,
                description = "Validity (default: ${DEFAULT-VALUE}).")
        Duration validFor;

        @Override
        public Integer call() {
            DevPki pki = new DevPki(dir);
            if (!Files.exists(pki.caFile())) {
                throw new IllegalStateException(dir + " holds no dev CA; run `portcullis pki init " + dir + "` first");
            }
            SpiffeId identity;
            try {
                identity = SpiffeId.parse(id);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--id: " + e.getMessage());
            }
            if (validFor.isNegative() || validFor.isZero() || validFor.compareTo(DevPki.CA_VALIDITY) > 0) {
                throw new ParameterException(spec.commandLine(), "--valid-for must be positive and at most " + DevPki.CA_VALIDITY);
            }
            IssuedCertificate issued = pki.issue(name, new CertificateRequest(
                    name, identity, dns, ips, Validity.startingNow(Clock.systemUTC(), validFor)));
            spec.commandLine().getOut().printf("issued %s (%s, serial %s, valid until %s)%n",
                    pki.certFile(name), identity, issued.certificate().getSerialNumber().toString(16),
                    issued.certificate().getNotAfter().toInstant());
            return ExitStatus.SUCCESS.code();
        }
    }
}
