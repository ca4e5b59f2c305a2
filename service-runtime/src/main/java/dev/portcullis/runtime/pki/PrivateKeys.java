package dev.portcullis.runtime.pki;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Unencrypted PKCS#8 private keys of the algorithms {@link KeyMatch} can check: the one parser
 * behind the services' TLS material, the CA's key files and the CLI's key file. It never throws
 * the JDK parser's own message, which may quote the key. Thread-safe.
 */
public final class PrivateKeys {
    /** The key algorithms, in the order they are tried. */
    public static final List<String> ALGORITHMS = List.of("EC", "RSA", "Ed25519");
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private PrivateKeys() {}

    /** The EC, RSA or Ed25519 key that the PKCS#8 DER bytes {@code der} encode; empty for anything else. */
    public static Optional<PrivateKey> fromPkcs8(byte[] der) {
        requireNonNull(der, "der is null");
        for (String algorithm : ALGORITHMS) {
            try {
                return Optional.of(KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der)));
            } catch (GeneralSecurityException e) {
                // not a key of this algorithm: try the next
            }
        }
        return Optional.empty();
    }

    /**
     * The key of the first {@code PRIVATE KEY} block of the PEM text {@code pem}; empty when there
     * is no complete block or its body is not base64 of a key {@link #fromPkcs8} reads.
     */
    public static Optional<PrivateKey> fromPem(String pem) {
        requireNonNull(pem, "pem is null");
        int begin = pem.indexOf(BEGIN);
        int end = begin < 0 ? -1 : pem.indexOf(END, begin);
        if (end < 0) {
            return Optional.empty();
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return fromPkcs8(der);
    }
}
