package dev.portcullis.runtime.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * PEM files for certificates and PKCS#8 EC private keys. Writes are atomic (a reader never sees
 * half a file, which matters to the servers that reload these files), and key files are created
 * readable by their owner alone.
 */
public final class PemFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private PemFiles() {}

    /** Writes {@code certificate} as a PEM CERTIFICATE block, replacing {@code file} atomically. */
    public static void writeCertificate(Path file, X509Certificate certificate) {
        try {
            write(file, pem("CERTIFICATE", certificate.getEncoded()), WORLD_READABLE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    /** Writes {@code key} as a PKCS#8 PEM PRIVATE KEY block, owner-only, replacing {@code file} atomically. */
    public static void writePrivateKey(Path file, PrivateKey key) {
        write(file, pem("PRIVATE KEY", key.getEncoded()), OWNER_ONLY);
    }

    /** Writes {@code key} as a PEM PUBLIC KEY block (X.509 SubjectPublicKeyInfo), replacing {@code file} atomically. */
    public static void writePublicKey(Path file, java.security.PublicKey key) {
        write(file, pem("PUBLIC KEY", key.getEncoded()), WORLD_READABLE);
    }

    /**
     * The DER bytes of the first {@code -----BEGIN TYPE-----} block of a PEM file.
     *
     * @throws IllegalArgumentException naming the file (never its content) when it holds no such block
     */
    public static byte[] readDer(Path file, String type) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            String begin = "-----BEGIN " + type + "-----";
            int start = text.indexOf(begin);
            int end = text.indexOf("-----END " + type + "-----");
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("no " + type + " block in " + file);
            }
            return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Reads the first certificate of a PEM file. */
    public static X509Certificate readCertificate(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read certificate " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not a PEM certificate: " + file, e);
        }
    }

    /**
     * A TLS client context that trusts exactly the certificates of the PEM bundle {@code caFile}
     * and presents none: for HTTPS clients of a server-authenticated listener (tests, benchmarks).
     */
    public static SSLContext trustingOnly(Path caFile) {
        List<Certificate> certificates;
        try {
            certificates = List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(caFile))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CA bundle " + caFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not a PEM CA bundle: " + caFile, e);
        }
        return trustingOnly(certificates);
    }

    /** A TLS client context that trusts exactly {@code certificates} and presents none. */
    public static SSLContext trustingOnly(List<? extends Certificate> certificates) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) {
                trust.setCertificateEntry("ca-" + n++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK offers no TLS context for these CA certificates", e);
        }
    }

    /** Reads a PKCS#8 PEM EC private key. */
    public static PrivateKey readPrivateKey(Path file) {
        try {
            return PrivateKeys.fromPkcs8(readDer(file, "PRIVATE KEY"))
                    .filter(key -> key.getAlgorithm().equals("EC"))
                    .orElseThrow(() -> new IllegalArgumentException("not an EC key"));
        } catch (IllegalArgumentException e) {
            // the message names the file, never its content
            throw new IllegalStateException("not a PKCS#8 EC private key: " + file);
        }
    }

    private static byte[] pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void write(Path file, byte[] content, Set<PosixFilePermission> permissions) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(permissions));
            try {
                Files.write(temp, content);
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
