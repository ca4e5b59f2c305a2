package dev.portcullis.cli.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.ExitStatus;
import dev.portcullis.cli.Portcullis;
import dev.portcullis.runtime.identity.CertificateIdentity;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portcullis pki init} and {@code portcullis pki issue}. */
class PkiCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void initIssuesEveryMemberWithItsSpiffeIdSignedByTheDevCa() throws Exception {
        int status = run("pki", "init", dir.toString());

        assertEquals(0, status, err.toString());
        X509Certificate ca = PemFiles.readCertificate(dir.resolve("ca.pem"));
        for (DevPki.Member member : DevPki.Member.values()) {
            X509Certificate cert = PemFiles.readCertificate(dir.resolve(member.fileName() + ".pem"));
            cert.verify(ca.getPublicKey());
            assertEquals(member.identity(), CertificateIdentity.of(cert));
            assertEquals("SHA256withECDSA", cert.getSigAlgName());
        }
    }

    @Test
    void privateKeysAreReadableByTheirOwnerAlone() throws Exception {
        run("pki", "init", dir.toString());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ci.key"))));
    }

    @Test
    void serviceCertificatesNameTheLoopbackAddressesClientsDial() throws Exception {
        run("pki", "init", dir.toString());

        X509Certificate gateway = PemFiles.readCertificate(dir.resolve("gateway.pem"));
        List<String> names = gateway.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
        assertTrue(names.contains("localhost"), names.toString());
        assertTrue(names.contains("127.0.0.1"), names.toString());
    }

    @Test
    void initRefusesToOverwriteAnExistingPkiWithoutForce() {
        run("pki", "init", dir.toString());

        int status = run("pki", "init", dir.toString());

        assertEquals(1, status);
        assertTrue(err.toString().contains("--force"), err.toString());
    }

    @Test
    void issueMintsOneMoreCertificateWithTheGivenIdentityAndValidity() throws Exception {
        run("pki", "init", dir.toString());

        int status = run("pki", "issue", dir.toString(), "--name", "jenkins",
                "--id", "spiffe://portcullis.dev/ci/jenkins/infra", "--valid-for", "2h");

        assertEquals(0, status, err.toString());
        X509Certificate cert = PemFiles.readCertificate(dir.resolve("jenkins.pem"));
        assertEquals("spiffe://portcullis.dev/ci/jenkins/infra", CertificateIdentity.of(cert).value());
        Duration left = Duration.between(Instant.now(), cert.getNotAfter().toInstant());
        assertTrue(left.compareTo(Duration.ofHours(2)) <= 0 && left.compareTo(Duration.ofMinutes(118)) > 0, left.toString());
    }

    @Test
    void issueRefusesAnIdentityThatIsNotASpiffeId() {
        run("pki", "init", dir.toString());

        int status = run("pki", "issue", dir.toString(), "--name", "x", "--id", "https://example.org/ci");

        assertEquals(ExitStatus.USAGE.code(), status, err.toString());
        assertTrue(err.toString().contains("--id"), err.toString());
        assertTrue(Files.notExists(dir.resolve("x.pem")));
    }
}
