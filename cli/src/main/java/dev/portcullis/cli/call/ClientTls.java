package dev.portcullis.cli.call;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.pki.KeyMatch;
import dev.portcullis.runtime.pki.PrivateKeys;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;

/**
 * The caller's TLS files (trust bundle, certificate, private key), read and checked once before
 * any connection: every file parses, the key belongs to the certificate, and the certificate is
 * valid now. Each problem is reported naming the file and the variable that named it, with what
 * to do, so that nothing a retry cannot fix is ever retried. The channels it opens present
 * exactly what was checked (the files are not read again) and explain their transport failures
 * ({@link ConnectionFailure}). Immutable.
 */
public final class ClientTls {
    static final String CA_VARIABLE = "PORTCULLIS_CA_FILE";
    static final String CERT_VARIABLE = "PORTCULLIS_CERT_FILE";
    static final String KEY_VARIABLE = "PORTCULLIS_KEY_FILE";
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    // every DER certificate and PKCS#8 key is an ASN.1 SEQUENCE; no PEM file starts with this byte ('0')
    private static final byte DER_SEQUENCE = 0x30;

    private final Path caFile;
    // certFile, keyFile and key are null exactly when chain is empty: a token caller without a certificate
    private final Path certFile;
    private final Path keyFile;
    private final List<X509Certificate> trusted;
    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private ClientTls(Path caFile, Path certFile, Path keyFile, List<X509Certificate> trusted,
            List<X509Certificate> chain, PrivateKey key) {
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.trusted = List.copyOf(trusted);
        this.chain = List.copyOf(chain);
        this.key = key;
    }

    /**
     * Reads and checks the three files.
     *
     * @throws IllegalStateException naming the file (and its variable) that cannot be used, why,
     *     and the next step; never quoting a key
     */
    public static ClientTls load(Path caFile, Path certFile, Path keyFile, Clock clock) {
        requireNonNull(clock, "clock is null");
        List<X509Certificate> trusted = certificates(CA_VARIABLE, caFile);
        List<X509Certificate> chain = certificates(CERT_VARIABLE, certFile);
        PrivateKey key = privateKey(keyFile);
        X509Certificate own = chain.get(0);
        if (!KeyMatch.belongsTo(key, own)) {
            throw new IllegalStateException("the key in " + named(KEY_VARIABLE, keyFile) + " does not belong to the certificate in "
                    + named(CERT_VARIABLE, certFile) + " (" + own.getSubjectX500Principal().getName() + "): point "
                    + KEY_VARIABLE + " at the key issued with this certificate (NAME.key next to NAME.pem), or "
                    + CERT_VARIABLE + " at the certificate of this key");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        if (now.isAfter(own.getNotAfter().toInstant())) {
            throw new IllegalStateException("the certificate in " + named(CERT_VARIABLE, certFile) + " expired at "
                    + own.getNotAfter().toInstant() + " (it is now " + now + "): for the dev suite, restart `./portcullis dev`"
                    + " (it renews its certificates) and run `" + ClientEnvironment.DEV_ENV_COMMAND + "`; otherwise re-issue it, e.g. with"
                    + " `./portcullis pki issue DIR --name NAME --id SPIFFE_ID`");
        }
        if (now.isBefore(own.getNotBefore().toInstant())) {
            throw new IllegalStateException("the certificate in " + named(CERT_VARIABLE, certFile) + " is not valid before "
                    + own.getNotBefore().toInstant() + " (it is now " + now + "): check this machine's clock, or wait");
        }
        return new ClientTls(caFile, certFile, keyFile, trusted, chain, key);
    }

    /**
     * Only the trust bundle, for a caller that authenticates with an identity token instead of a
     * certificate: its channels present no certificate.
     *
     * @throws IllegalStateException naming the CA file when it cannot be used
     */
    public static ClientTls trustOnly(Path caFile) {
        return new ClientTls(caFile, null, null, certificates(CA_VARIABLE, caFile), List.of(), null);
    }

    /** An mTLS channel to {@code endpoint} presenting this certificate, its failures explained. */
    public ManagedChannel channel(Endpoint endpoint) {
        return ClientEventLoop.channelBuilder(endpoint.address(), credentials())
                .intercept(ConnectionFailure.explaining(endpoint, this))
                .build();
    }

    /**
     * A TLS channel to {@code endpoint} sending {@code token} as {@code authorization: Bearer …} on
     * every call, and this certificate too when there is one; its failures explained.
     */
    public ManagedChannel channel(Endpoint endpoint, IdToken token) {
        return ClientEventLoop.channelBuilder(endpoint.address(), credentials())
                .intercept(ConnectionFailure.explaining(endpoint, this), token.bearer())
                .build();
    }

    /** Whether the channels present a client certificate (not so for {@link #trustOnly}). */
    boolean presentsCertificate() {
        return !chain.isEmpty();
    }

    /**
     * Credentials presenting the checked certificate and key (whatever issuers the server says it
     * accepts, so a server that refuses it records whom it refused), trusting the checked bundle
     * (and host names it names).
     */
    public ChannelCredentials credentials() {
        try {
            TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
            if (presentsCertificate()) {
                // the JDK's key manager withholds a certificate whose issuer the server's CertificateRequest
                // does not list, so a server that would refuse it never learns who called; this one always sends it
                AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
                keys.updateIdentityCredentials(chain.toArray(X509Certificate[]::new), key);
                credentials.keyManager(keys);
            }
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                anchors.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(anchors);
            return credentials.trustManager(trust.getTrustManagers()).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot hold the checked TLS material: " + e.getClass().getSimpleName());
        }
    }

    /** "PORTCULLIS_CA_FILE (/path/ca.pem)". */
    String caFileNamed() {
        return named(CA_VARIABLE, caFile);
    }

    /** "PORTCULLIS_CERT_FILE (/path/ci.pem)". */
    String certFileNamed() {
        return named(CERT_VARIABLE, certFile);
    }

    /** "PORTCULLIS_KEY_FILE (/path/ci.key)". */
    String keyFileNamed() {
        return named(KEY_VARIABLE, keyFile);
    }

    /** The distinguished name of our certificate's issuer: whom the server must trust; only when {@link #presentsCertificate()}. */
    String issuer() {
        return chain.get(0).getIssuerX500Principal().getName();
    }

    private static String named(String variable, Path file) {
        return variable + " (" + file + ")";
    }

    /**
     * The file's PEM text. A UTF-8 byte order mark is skipped; a DER (binary) file is refused with
     * the openssl command {@code conversion} (its {@code %1$s} the file) that makes it PEM.
     */
    private static String text(String variable, Path file, String conversion) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(named(variable, file) + " cannot be read: " + e.getClass().getSimpleName());
        }
        int start = startsWith(bytes, UTF8_BOM) ? UTF8_BOM.length : 0;
        if (bytes.length > start && bytes[start] == DER_SEQUENCE) {
            throw new IllegalStateException(named(variable, file) + " is DER (binary); the CLI reads PEM: convert it with `"
                    + conversion.formatted(file) + "` and point " + variable + " at the .pem file");
        }
        // PEM is ASCII; any other byte cannot be part of a block, so a lossless single-byte decoding suffices
        return new String(bytes, start, bytes.length - start, StandardCharsets.ISO_8859_1);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static List<X509Certificate> certificates(String variable, Path file) {
        String pem = text(variable, file, "openssl x509 -inform der -in %1$s -out %1$s.pem");
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            String swapped = pem.contains("PRIVATE KEY-----")
                    ? "; it holds a private key: are " + CERT_VARIABLE + " and " + KEY_VARIABLE + " swapped?" : "";
            throw new IllegalStateException(named(variable, file) + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
                    + swapped);
        }
        try {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.ISO_8859_1))).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
            if (certificates.isEmpty()) {
                throw new CertificateException("no certificate");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IllegalStateException(named(variable, file) + " has a CERTIFICATE block that does not parse"
                    + " (truncated or corrupted?): copy the file again from where it was issued");
        }
    }

    /** The key, or an explanation that never quotes the file: neither its PEM type line nor any of its body. */
    private static PrivateKey privateKey(Path file) {
        String pem = text(KEY_VARIABLE, file, "openssl pkcs8 -topk8 -nocrypt -inform der -in %1$s -out %1$s.pem");
        String problem;
        if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            Optional<PrivateKey> key = PrivateKeys.fromPem(pem);
            if (key.isPresent()) {
                return key.get();
            }
            problem = "holds a PKCS#8 PEM key that does not parse as an EC, RSA or Ed25519 key (truncated or corrupted?):"
                    + " copy the file again from where it was issued";
        } else if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            problem = "holds an encrypted key; the CLI needs it unencrypted: openssl pkcs8 -topk8 -nocrypt -in " + file
                    + " -out NEW.key";
        } else if (pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            problem = "holds a PKCS#1 (RSA) or SEC1 (EC) key; the CLI reads PKCS#8 PEM keys: convert it with"
                    + " openssl pkcs8 -topk8 -nocrypt -in " + file + " -out NEW.key";
        } else if (pem.contains("-----BEGIN CERTIFICATE-----")) {
            problem = "holds a certificate, not a private key: are " + CERT_VARIABLE + " and " + KEY_VARIABLE + " swapped?";
        } else {
            problem = "holds no PEM key: the CLI reads unencrypted PKCS#8 PEM keys, as `./portcullis dev` and"
                    + " `./portcullis pki issue` write them";
        }
        throw new IllegalStateException(named(KEY_VARIABLE, file) + " " + problem);
    }
}
