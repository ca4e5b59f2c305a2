package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.pki.KeyMatch;
import dev.portcullis.runtime.pki.PrivateKeys;
import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.AdvancedTlsX509TrustManager.Verification;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's TLS key, certificate chain and trust bundle, kept current from disk. The files
 * are checked every {@code portcullis.tls.reload-interval}; when any of them changed, all three
 * are read, the key is checked against the certificate, and only a complete, consistent set
 * replaces the one in use. A rotation caught half-written, unreadable or mismatched is skipped
 * and retried, and the last good material stays in use. Live connections keep what they were
 * established with; the next handshake uses the newest material. Thread-safe.
 *
 * <p>We poll rather than rely on grpc-java's own file reloading, which enforces a one-minute
 * minimum period and reloads only when both key and certificate files changed (so a renewal
 * that keeps the key would never be picked up).
 */
public final class TlsMaterial implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TlsMaterial.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> SERVER_KEY_ALGORITHMS = Set.of("EC", "RSA");

    private final TlsConfig config;
    private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
    private final AdvancedTlsX509TrustManager serverTrust;
    private final AdvancedTlsX509TrustManager clientTrust;
    private final ScheduledExecutorService reloader;
    // guarded by this: the file stamps of the last set we tried, so a bad set is reported once
    private List<FileStamp> lastAttempt = List.of();

    private TlsMaterial(TlsConfig config) throws CertificateException {
        this.config = config;
        // clients present no host name, so the server checks the chain only; as a client we
        // also check that the server's certificate names the host we dialled
        this.serverTrust = AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(Verification.CERTIFICATE_ONLY_VERIFICATION)
                .build();
        this.clientTrust = AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
                .build();
        this.reloader = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tls-reload");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads the files named by {@code config} and starts watching them.
     *
     * @throws IllegalStateException naming the property whose file is missing or unusable
     */
    public static TlsMaterial load(TlsConfig config) {
        requireNonNull(config, "config is null");
        requireReadable("portcullis.tls.cert-file", config.certFile());
        requireReadable("portcullis.tls.key-file", config.keyFile());
        requireReadable("portcullis.tls.ca-file", config.caFile());
        TlsMaterial material;
        try {
            material = new TlsMaterial(config);
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK's default trust manager is unavailable", e);
        }
        try {
            synchronized (material) {
                material.lastAttempt = material.stamps();
            }
            material.install(material.read());
        } catch (InvalidMaterial e) {
            material.close();
            throw new IllegalStateException(e.getMessage());
        }
        long period = config.reloadInterval().toMillis();
        material.reloader.scheduleWithFixedDelay(material::reloadIfChanged, period, period, TimeUnit.MILLISECONDS);
        return material;
    }

    private static void requireReadable(String property, Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalStateException(property + " names a file that does not exist or cannot be read: " + file);
        }
    }

    /** Server credentials: TLS 1.2 or 1.3, client certificate required and checked against the bundle. */
    public ServerCredentials serverCredentials() {
        return TlsServerCredentials.newBuilder()
                .keyManager(keyManager)
                .trustManager(serverTrust)
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
    }

    /**
     * As {@link #serverCredentials()}, and every handshake the server ends (a refused certificate,
     * none at all, not TLS) is recorded by {@code refusals}.
     */
    ServerCredentials serverCredentials(HandshakeRefusals refusals) {
        return HandshakeWatchingNegotiator.watching(TlsServerCredentials.newBuilder()
                .keyManager(keyManager)
                .trustManager(new NotingClientTrust(serverTrust, refusals))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build(), refusals);
    }

    /**
     * As {@link #serverCredentials(HandshakeRefusals)}, except that a caller may present no client
     * certificate at all, for a server that admits bearer-token callers ({@link BearerTokens}). A
     * certificate that is presented must still satisfy the trust bundle, or the handshake fails.
     */
    ServerCredentials serverCredentialsWithOptionalClientCertificate(HandshakeRefusals refusals) {
        return HandshakeWatchingNegotiator.watching(TlsServerCredentials.newBuilder()
                .keyManager(keyManager)
                .trustManager(new NotingClientTrust(serverTrust, refusals))
                .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                .build(), refusals);
    }

    /**
     * A server-authenticated TLS context (TLS 1.2 or 1.3, no client certificate asked for) that
     * presents this service's current certificate, rotated like the gRPC server's: for listeners
     * whose callers cannot present a client certificate, such as webhooks from GitHub or GitLab.
     */
    public SSLContext serverAuthContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keyManager}, null, RANDOM);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no TLS context", e);
        }
    }

    /** Channel credentials: presents this service's certificate, checks the server's chain and host name. */
    public ChannelCredentials channelCredentials() {
        return TlsChannelCredentials.newBuilder()
                .keyManager(keyManager)
                .trustManager(clientTrust)
                .build();
    }

    /** Re-reads the files now if any of them changed since the last attempt. */
    synchronized void reloadIfChanged() {
        List<FileStamp> stamps = stamps();
        if (stamps.equals(lastAttempt)) {
            return;
        }
        lastAttempt = stamps;
        try {
            install(read());
            log.atInfo().addKeyValue("cert_file", config.certFile()).log("tls.reloaded");
        } catch (InvalidMaterial e) {
            // a writer may be midway through a rotation; the next tick sees the finished files
            log.atWarn().addKeyValue("problem", e.getMessage()).log("tls.reload_skipped");
            lastAttempt = List.of();
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("tls.reload_failed");
        }
    }

    private List<FileStamp> stamps() {
        return List.of(FileStamp.of(config.certFile()), FileStamp.of(config.keyFile()), FileStamp.of(config.caFile()));
    }

    private record Material(PrivateKey key, X509Certificate[] chain, X509Certificate[] trusted) {
        @Override
        public String toString() {
            return "Material[redacted]";
        }
    }

    private Material read() {
        X509Certificate[] chain = certificates("portcullis.tls.cert-file", config.certFile());
        X509Certificate[] trusted = certificates("portcullis.tls.ca-file", config.caFile());
        PrivateKey key = privateKey(config.keyFile())
                .orElseThrow(() -> new InvalidMaterial("portcullis.tls.key-file is not a readable PKCS#8 PEM private key"));
        if (!KeyMatch.belongsTo(key, chain[0])) {
            throw new InvalidMaterial("portcullis.tls.key-file does not belong to the certificate in portcullis.tls.cert-file");
        }
        return new Material(key, chain, trusted);
    }

    private void install(Material material) {
        try {
            serverTrust.updateTrustCredentials(material.trusted());
            clientTrust.updateTrustCredentials(material.trusted());
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidMaterial("portcullis.tls.ca-file cannot be used as a trust bundle");
        }
        keyManager.updateIdentityCredentials(material.chain(), material.key());
    }

    /** The file's PKCS#8 EC or RSA key: the key types the servers have always accepted. */
    private static Optional<PrivateKey> privateKey(Path file) {
        try {
            return PrivateKeys.fromPem(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                    .filter(key -> SERVER_KEY_ALGORITHMS.contains(key.getAlgorithm()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static X509Certificate[] certificates(String property, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            X509Certificate[] certificates = CertificateUtils.getX509Certificates(in);
            if (certificates.length == 0) {
                throw new InvalidMaterial(property + " holds no PEM certificate");
            }
            return certificates;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidMaterial(property + " is not a readable PEM certificate file");
        }
    }

    @Override
    public void close() {
        reloader.shutdownNow();
    }

    /** What identifies one version of a file without reading it. */
    private record FileStamp(Path file, long modifiedMillis, long size, Object fileKey) {
        static FileStamp of(Path file) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileStamp(file, attributes.lastModifiedTime().toMillis(), attributes.size(),
                        attributes.fileKey());
            } catch (IOException e) {
                return new FileStamp(file, -1, -1, "missing");
            }
        }
    }

    /** The files on disk do not form usable TLS material; the message names the property. */
    private static final class InvalidMaterial extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidMaterial(String message) {
            super(message, null, false, false);
        }
    }
}
