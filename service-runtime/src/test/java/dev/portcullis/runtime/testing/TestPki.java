package dev.portcullis.runtime.testing;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.CertificateAuthority;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.IssuedCertificate;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.transport.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A per-test PKI in a temporary directory: a CA and certificates written as PEM files, in trust
 * domain {@code test.example}. Every test run makes its own; nothing is committed.
 */
public final class TestPki {
    public static final String TRUST_DOMAIN = "test.example";

    private final Path dir;
    private final CertificateAuthority ca;

    private TestPki(Path dir, CertificateAuthority ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** A new CA in {@code dir}. */
    public static TestPki create(Path dir) {
        CertificateAuthority ca = CertificateAuthority.create("Portcullis test CA",
                Validity.startingNow(Clock.systemUTC(), Duration.ofDays(1)));
        PemFiles.writeCertificate(dir.resolve("ca.pem"), ca.certificate());
        return new TestPki(dir, ca);
    }

    /** The trust bundle file. */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** {@code spiffe://test.example/PATH}. */
    public static SpiffeId id(String path) {
        return new SpiffeId("spiffe://" + TRUST_DOMAIN + "/" + path);
    }

    /** Issues a valid client-and-server certificate for {@code identity} as files NAME.pem/NAME.key. */
    public Credential issue(String name, SpiffeId identity) {
        return issue(name, identity, Validity.startingNow(Clock.systemUTC(), Duration.ofHours(1)));
    }

    /** Issues a certificate with the given validity. */
    public Credential issue(String name, SpiffeId identity, Validity validity) {
        return write(name, ca.issue(new CertificateRequest(name, identity,
                List.of("localhost"), List.of("127.0.0.1", "::1"), validity)));
    }

    /** Issues a certificate with an arbitrary request (e.g. odd SANs). */
    public Credential issue(String name, CertificateRequest request) {
        return write(name, ca.issue(request));
    }

    /** TLS configuration of a service using credential {@code name}, reloading every {@code reload}. */
    public TlsConfig tlsConfig(Credential credential, Duration reload) {
        return new TlsConfig(credential.certFile(), credential.keyFile(), caFile(), reload);
    }

    private Credential write(String name, IssuedCertificate issued) {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        PemFiles.writePrivateKey(key, issued.privateKey());
        PemFiles.writeCertificate(cert, issued.certificate());
        return new Credential(cert, key, caFile(), issued);
    }

    /** Files of one issued certificate. */
    public record Credential(Path certFile, Path keyFile, Path caFile, IssuedCertificate issued) {
        public boolean exists() {
            return Files.exists(certFile) && Files.exists(keyFile);
        }
    }
}
