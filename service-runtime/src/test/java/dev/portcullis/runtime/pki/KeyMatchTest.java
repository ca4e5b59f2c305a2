package dev.portcullis.runtime.pki;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** KeyMatch against real key pairs of each algorithm the CLI and the services read. */
class KeyMatchTest {
    private static final Instant NOT_BEFORE = Instant.parse("2024-03-04T10:00:00Z");

    @Test
    void anEcKeyBelongsToTheCertificateOfItsPair() throws Exception {
        KeyPair pair = ec("secp256r1");

        assertTrue(KeyMatch.belongsTo(pair.getPrivate(), selfSigned(pair, "SHA256withECDSA")));
    }

    @Test
    void anEcKeyOfAnotherPairDoesNotBelong() throws Exception {
        X509Certificate certificate = selfSigned(ec("secp256r1"), "SHA256withECDSA");

        assertFalse(KeyMatch.belongsTo(ec("secp256r1").getPrivate(), certificate));
    }

    @Test
    void anEcKeyOfAnotherCurveDoesNotBelong() throws Exception {
        X509Certificate certificate = selfSigned(ec("secp256r1"), "SHA256withECDSA");

        assertFalse(KeyMatch.belongsTo(ec("secp384r1").getPrivate(), certificate));
    }

    @Test
    void anRsaKeyBelongsToTheCertificateOfItsPair() throws Exception {
        KeyPair pair = rsa();

        assertTrue(KeyMatch.belongsTo(pair.getPrivate(), selfSigned(pair, "SHA256withRSA")));
    }

    @Test
    void anRsaKeyOfAnotherPairDoesNotBelong() throws Exception {
        X509Certificate certificate = selfSigned(rsa(), "SHA256withRSA");

        assertFalse(KeyMatch.belongsTo(rsa().getPrivate(), certificate));
    }

    @Test
    void anEd25519KeyBelongsToTheCertificateOfItsPair() throws Exception {
        KeyPair pair = ed25519();

        assertTrue(KeyMatch.belongsTo(pair.getPrivate(), selfSigned(pair, "Ed25519")));
    }

    @Test
    void anEd25519KeyOfAnotherPairDoesNotBelong() throws Exception {
        X509Certificate certificate = selfSigned(ed25519(), "Ed25519");

        assertFalse(KeyMatch.belongsTo(ed25519().getPrivate(), certificate));
    }

    @Test
    void aKeyOfAnotherAlgorithmDoesNotBelong() throws Exception {
        X509Certificate ecCertificate = selfSigned(ec("secp256r1"), "SHA256withECDSA");

        assertFalse(KeyMatch.belongsTo(rsa().getPrivate(), ecCertificate));
        assertFalse(KeyMatch.belongsTo(ed25519().getPrivate(), ecCertificate));
    }

    @Test
    void aKeyParsedFromPkcs8StillBelongs() throws Exception {
        KeyPair pair = ed25519();

        assertTrue(KeyMatch.belongsTo(PrivateKeys.fromPkcs8(pair.getPrivate().getEncoded()).orElseThrow(),
                selfSigned(pair, "Ed25519")));
    }

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair pair, String signature) throws Exception {
        X500Principal name = new X500Principal("CN=key-match,O=Portcullis");
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(NOT_BEFORE), Date.from(NOT_BEFORE.plusSeconds(3600)), name, pair.getPublic())
                .build(new JcaContentSignerBuilder(signature).build(pair.getPrivate())));
    }
}
