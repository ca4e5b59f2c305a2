package dev.portcullis.cli.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.CliRun;
import dev.portcullis.runtime.identity.CertificateIdentity;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portcullis pki init} and {@code portcullis pki issue}. */
class PkiCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.execute(args);
    }

    @Test
    void initIssuesEveryMemberWithItsSpiffeIdSignedByTheDevCa() throws Exception {
        int status = run("pki", "init", dir.toString());

        assertEquals(0, status, cli.err());
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
        assertTrue(cli.err().contains("--force"), cli.err());
    }

    @Test
    void issueMintsOneMoreCertificateWithTheGivenIdentityAndValidity() throws Exception {
        run("pki", "init", dir.toString());

        int status = run("pki", "issue", dir.toString(), "--name", "jenkins",
                "--id", "spiffe://portcullis.dev/ci/jenkins/infra", "--valid-for", "2h");

        assertEquals(0, status, cli.err());
        X509Certificate cert = PemFiles.readCertificate(dir.resolve("jenkins.pem"));
        assertEquals("spiffe://portcullis.dev/ci/jenkins/infra", CertificateIdentity.of(cert).value());
        Duration left = Duration.between(Instant.now(), cert.getNotAfter().toInstant());
        assertTrue(left.compareTo(Duration.ofHours(2)) <= 0 && left.compareTo(Duration.ofMinutes(118)) > 0, left.toString());
    }

    @Test
    void issueRefusesAnIdentityThatIsNotASpiffeId() {
        run("pki", "init", dir.toString());

        int status = run("pki", "issue", dir.toString(), "--name", "x", "--id", "https://example.org/ci");

        assertEquals(ExitStatus.USAGE.code(), status, cli.err());
        assertTrue(cli.err().contains("--id"), cli.err());
        assertTrue(Files.notExists(dir.resolve("x.pem")));
    }
}
