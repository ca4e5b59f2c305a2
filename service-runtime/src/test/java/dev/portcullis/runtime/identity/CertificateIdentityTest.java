package dev.portcullis.runtime.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class CertificateIdentityTest {
    private static final Instant NOW = Instant.parse("2024-03-04T10:00:00Z");

    @Test
    void singleSpiffeUriSanIsTheIdentity() throws Exception {
        X509Certificate certificate = certificateWith(uri("spiffe://example.org/service/gateway"));

        SpiffeId identity = CertificateIdentity.of(certificate);

        assertEquals(SpiffeId.parse("spiffe://example.org/service/gateway"), identity);
    }

    @Test
    void dnsAndIpSansBesideTheSpiffeUriSanAreIgnored() throws Exception {
        X509Certificate certificate = certificateWith(
                new GeneralName(GeneralName.dNSName, "localhost"),
                uri("spiffe://example.org/service/policy"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"));

        SpiffeId identity = CertificateIdentity.of(certificate);

        assertEquals(SpiffeId.parse("spiffe://example.org/service/policy"), identity);
    }

    @Test
    void certificateWithoutAnySanHasNoIdentity() throws Exception {
        X509Certificate certificate = certificateWith();

        InvalidIdentityException e = assertThrows(InvalidIdentityException.class,
                () -> CertificateIdentity.of(certificate));

        assertEquals("the certificate has no URI SAN", e.getMessage());
    }

    @Test
    void certificateWithOnlyADnsSanHasNoIdentity() throws Exception {
        X509Certificate certificate = certificateWith(new GeneralName(GeneralName.dNSName, "gateway.example.org"));

        InvalidIdentityException e = assertThrows(InvalidIdentityException.class,
                () -> CertificateIdentity.of(certificate));

        assertEquals("the certificate has no URI SAN", e.getMessage());
    }

    @Test
    void certificateWithTwoUriSansHasNoIdentity() throws Exception {
        X509Certificate certificate = certificateWith(
                uri("spiffe://example.org/service/gateway"), uri("spiffe://example.org/human/admin"));

        InvalidIdentityException e = assertThrows(InvalidIdentityException.class,
                () -> CertificateIdentity.of(certificate));

        assertEquals("the certificate has more than one URI SAN", e.getMessage());
    }

    @Test
    void nonSpiffeUriSanIsNotAnIdentity() throws Exception {
        X509Certificate certificate = certificateWith(uri("https://example.org/service/gateway"));

        InvalidIdentityException e = assertThrows(InvalidIdentityException.class,
                () -> CertificateIdentity.of(certificate));

        assertEquals("the certificate's URI SAN is not a SPIFFE ID: scheme must be spiffe://", e.getMessage());
    }

    @Test
    void malformedSpiffeUriSanIsNotAnIdentity() throws Exception {
        X509Certificate certificate = certificateWith(uri("spiffe://example.org/service/../admin"));

        InvalidIdentityException e = assertThrows(InvalidIdentityException.class,
                () -> CertificateIdentity.of(certificate));

        assertEquals("the certificate's URI SAN is not a SPIFFE ID: path segments must not be empty, '.' or '..'",
                e.getMessage());
    }

    private static GeneralName uri(String value) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, value);
    }

    /** A self-signed EC P-256 certificate carrying exactly {@code names} as SANs (no extension when none). */
    private static X509Certificate certificateWith(GeneralName... names) throws Exception {
        KeyPair keys = newKeyPair();
        X500Principal subject = new X500Principal("CN=test,O=Portcullis");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE,
                Date.from(NOW.minus(Duration.ofMinutes(1))), Date.from(NOW.plus(Duration.ofHours(1))),
                subject, keys.getPublic());
        if (names.length > 0) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }
}
