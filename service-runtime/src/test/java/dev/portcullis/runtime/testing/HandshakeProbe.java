package dev.portcullis.runtime.testing;

import dev.portcullis.runtime.pki.PemFiles;
import io.grpc.util.AdvancedTlsX509KeyManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * One connection to a server on loopback that the server is expected to end: a TLS handshake, or
 * bytes that are not TLS at all. Each attempt returns only once the server has closed the TCP
 * connection, so whatever the server does on ending it has been done; it returns the local port, so
 * a test can tell its own connection in what the server recorded.
 */
public final class HandshakeProbe {
    private static final int TIMEOUT_MILLIS = 10_000;

    private HandshakeProbe() {}

    /**
     * A TLS handshake trusting {@code caFile} and presenting {@code credential} (always, whatever
     * issuers the server lists), or no certificate when empty; then one read.
     */
    public static int handshake(int port, Path caFile, Optional<TestPki.Credential> credential) {
        SSLContext context = context(caFile, credential);
        try (Socket tcp = connect(port)) {
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", port, false)) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"h2"}); // as a gRPC client asks
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                tls.getInputStream().read(); // TLS 1.3: the server judges our certificate after our Finished
            } catch (IOException refused) {
                // the refusal this probe exists to provoke
            }
            return awaitClose(tcp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code bytes} sent as they are, in place of a TLS ClientHello. */
    public static int send(int port, byte[] bytes) {
        try (Socket tcp = connect(port)) {
            tcp.getOutputStream().write(bytes);
            tcp.getOutputStream().flush();
            return awaitClose(tcp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket tcp = new Socket();
        tcp.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        tcp.setSoTimeout(TIMEOUT_MILLIS);
        return tcp;
    }

    /** Reads until the server closes the connection (a reset counts); a read timeout fails the test. */
    private static int awaitClose(Socket tcp) throws IOException {
        int local = tcp.getLocalPort();
        InputStream in = tcp.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                // the server's alert and whatever else it sends before closing
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + TIMEOUT_MILLIS + " ms", e);
        } catch (IOException reset) {
            // closed with a reset: closed all the same
        }
        return local;
    }

    private static SSLContext context(Path caFile, Optional<TestPki.Credential> credential) {
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            anchors.setCertificateEntry("ca", PemFiles.readCertificate(caFile));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(anchors);
            KeyManager[] keys = null;
            if (credential.isPresent()) {
                AdvancedTlsX509KeyManager always = new AdvancedTlsX509KeyManager();
                always.updateIdentityCredentials(new X509Certificate[] {credential.get().issued().certificate()},
                        credential.get().issued().privateKey());
                keys = new KeyManager[] {always};
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
