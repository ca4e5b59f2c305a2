package dev.portcullis.runtime.testing;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.CertificateAuthority;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.IssuedCertificate;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.transport.TlsConfig;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

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

    /** A new CA in {@code dir}; its key is written next to it so tests can sign odd certificates. */
    public static TestPki create(Path dir) {
        return create(dir, "Portcullis test CA");
    }

    /**
     * As {@link #create(Path)}, with the CA named {@code caName}: a CA of another name is one whose
     * certificates a JDK client withholds from a server that lists only its own CA as acceptable.
     */
    public static TestPki create(Path dir, String caName) {
        CertificateAuthority ca = CertificateAuthority.create(caName,
                Validity.startingNow(Clock.systemUTC(), Duration.ofDays(1)));
        ca.save(dir.resolve("ca.pem"), dir.resolve("ca.key"));
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

    /**
     * Issues a valid client-and-server certificate from this CA that carries no URI SAN (so no
     * SPIFFE identity), only the DNS SAN {@code localhost}, as files NAME.pem/NAME.key.
     * {@link CertificateAuthority} always writes a URI SAN, so this one is built here.
     */
    public Credential issueWithoutUriSan(String name) {
        X509Certificate caCertificate = ca.certificate();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            Validity validity = Validity.startingNow(Clock.systemUTC(), Duration.ofHours(1));
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    caCertificate.getSubjectX500Principal(), new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
                    Date.from(validity.notBefore()), Date.from(validity.notAfter()),
                    new X500Principal("CN=" + name + ",O=Portcullis"), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(caCertificate));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(PemFiles.readPrivateKey(caKeyFile()))));
            return write(name, new IssuedCertificate(certificate, keys.getPrivate()));
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue certificate without URI SAN", e);
        }
    }

    /** TLS configuration of a service using credential {@code name}, reloading every {@code reload}. */
    public TlsConfig tlsConfig(Credential credential, Duration reload) {
        return new TlsConfig(credential.certFile(), credential.keyFile(), caFile(), reload);
    }

    private Path caKeyFile() {
        return dir.resolve("ca.key");
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
