package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.pki.IssuedCertificate;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.pki.Validity;
import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
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
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Client certificates for the corpus, made in memory: honest ones from the suite's CA, and
 * forged ones the dev PKI would never issue (several URI SANs, only DNS or e-mail names, a URI
 * that is not a SPIFFE ID, a common name claiming another identity, expired), signed by the
 * suite's CA or by a CA nobody trusts. Keys never touch the disk.
 */
final class CallerCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path caFile;
    private final X509Certificate caCertificate;
    private final PrivateKey caKey;
    private final X509Certificate strangerCertificate;
    private final PrivateKey strangerKey;

    private CallerCertificates(Path caFile, X509Certificate caCertificate, PrivateKey caKey,
            X509Certificate strangerCertificate, PrivateKey strangerKey) {
        this.caFile = caFile;
        this.caCertificate = caCertificate;
        this.caKey = caKey;
        this.strangerCertificate = strangerCertificate;
        this.strangerKey = strangerKey;
    }

    /**
     * Certificates signed by the CA in {@code caFile}/{@code caKeyFile}, and by a stranger CA made
     * now that copies the suite CA's name (a different key: what an attacker without the CA key
     * can make).
     */
    static CallerCertificates of(Path caFile, Path caKeyFile, Validity validity) {
        requireNonNull(caFile, "caFile is null");
        X509Certificate suiteCa = PemFiles.readCertificate(caFile);
        KeyPair strangerKeys = newKeys();
        X509Certificate stranger = build(suiteCa.getSubjectX500Principal(), strangerKeys.getPrivate(),
                suiteCa.getSubjectX500Principal(), strangerKeys, validity, true, List.of());
        return new CallerCertificates(caFile, suiteCa, PemFiles.readPrivateKey(caKeyFile), stranger,
                strangerKeys.getPrivate());
    }

    /** Which CA signs a certificate. */
    enum Signer { SUITE_CA, STRANGER_CA }

    /**
     * A leaf certificate for client authentication.
     *
     * @param commonName the subject CN (never an identity: the corpus checks that)
     * @param names the subject alternative names, as given
     */
    IssuedCertificate issue(Signer signer, String commonName, List<GeneralName> names, Validity validity) {
        X509Certificate issuer = signer == Signer.SUITE_CA ? caCertificate : strangerCertificate;
        PrivateKey issuerKey = signer == Signer.SUITE_CA ? caKey : strangerKey;
        KeyPair keys = newKeys();
        X509Certificate leaf = build(issuer.getSubjectX500Principal(), issuerKey,
                new X500Principal("CN=" + commonName + ",O=Portcullis hostile corpus"), keys, validity, false, names);
        return new IssuedCertificate(leaf, keys.getPrivate());
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no P-256 keys", e);
        }
    }

    private static X509Certificate build(X500Principal issuer, PrivateKey issuerKey, X500Principal subject, KeyPair keys,
            Validity validity, boolean authority, List<GeneralName> names) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(validity.notBefore()),
                    Date.from(validity.notAfter()), subject, keys.getPublic());
            if (authority) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            }
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a corpus certificate", e);
        }
    }

    /** Channel credentials presenting {@code certificate}, trusting the suite's CA. */
    ChannelCredentials credentials(IssuedCertificate certificate) {
        AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
        keys.updateIdentityCredentials(new X509Certificate[] {certificate.certificate()}, certificate.privateKey());
        try {
            return TlsChannelCredentials.newBuilder().keyManager(keys).trustManager(caFile.toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the suite's CA " + caFile, e);
        }
    }

    /** Credentials trusting the suite's CA and presenting no certificate, as a CI job with a token calls. */
    ChannelCredentials serverOnly() {
        try {
            return TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the suite's CA " + caFile, e);
        }
    }

    static GeneralName uri(String uri) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
    }

    static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    static GeneralName email(String address) {
        return new GeneralName(GeneralName.rfc822Name, address);
    }
}
