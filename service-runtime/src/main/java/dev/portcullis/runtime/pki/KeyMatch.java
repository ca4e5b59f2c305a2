package dev.portcullis.runtime.pki;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Whether a private key belongs to a certificate: the key signs a random probe and the
 * certificate's public key must verify it. Works for RSA, EC and Ed25519 keys alike, without
 * deriving a public key from a private one. Thread-safe.
 */
public final class KeyMatch {
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyMatch() {}

    /** True when {@code key} is the private half of {@code certificate}'s public key; false for any other key. */
    public static boolean belongsTo(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> "";
        };
        if (algorithm.isEmpty() || !sameAlgorithm(key, certificate)) {
            return false;
        }
        try {
            byte[] probe = new byte[32];
            RANDOM.nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key of another curve: not this certificate's key either way
        }
    }

    private static boolean sameAlgorithm(PrivateKey key, X509Certificate certificate) {
        String theirs = certificate.getPublicKey().getAlgorithm();
        return key.getAlgorithm().equals(theirs)
                || (key.getAlgorithm().startsWith("Ed") && theirs.startsWith("Ed"));
    }
}
