package dev.portcullis.executor.repo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory2;

/**
 * JGit's https connections for one resolution, on the JDK's {@link HttpsURLConnection}: the
 * server's certificate must chain to the configured CA file or to the JDK's default CAs and name
 * the host (nothing JGit or a git config says can switch that off: {@code http.sslVerify=false}
 * and JGit's own trust-disabling calls are refused); https only; every socket is kept so that
 * {@link #abort()} can end a resolution that overran its time; and the last HTTP status seen is
 * kept, so a refusal (401, 403) is told from an unreachable host without reading JGit's words.
 * Thread-safe.
 */
final class HttpsConnections implements HttpConnectionFactory2 {
    private final TrackingSocketFactory sockets;
    private volatile int lastStatus = -1;

    private HttpsConnections(SSLSocketFactory sockets) {
        this.sockets = new TrackingSocketFactory(sockets);
    }

    /**
     * Connections trusting the JDK's default CAs and, when given, the CAs of a PEM bundle.
     *
     * @throws IOException when the CA file cannot be read
     * @throws GeneralSecurityException when it holds no certificate or a malformed one
     */
    static HttpsConnections trusting(Optional<Path> caFile) throws IOException, GeneralSecurityException {
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        if (caFile.isEmpty()) {
            return new HttpsConnections(context(jdk.getTrustManagers()).getSocketFactory());
        }
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        int n = 0;
        for (TrustManager manager : jdk.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                for (X509Certificate ca : x509.getAcceptedIssuers()) {
                    anchors.setCertificateEntry("jdk-" + n++, ca);
                }
            }
        }
        Collection<? extends Certificate> configured;
        try (InputStream in = Files.newInputStream(caFile.get())) {
            configured = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (configured.isEmpty()) {
            throw new GeneralSecurityException("the CA file holds no certificate");
        }
        for (Certificate ca : configured) {
            anchors.setCertificateEntry("configured-" + n++, ca);
        }
        TrustManagerFactory both = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        both.init(anchors);
        return new HttpsConnections(context(both.getTrustManagers()).getSocketFactory());
    }

    private static SSLContext context(TrustManager[] trust) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust, null);
        return context;
    }

    /** The status of the last HTTP response read, or -1 when none was. */
    int lastStatus() {
        return lastStatus;
    }

    /** Closes every socket opened so far and refuses new ones: a blocked read fails at once. */
    void abort() {
        sockets.abort();
    }

    /** Whether {@link #abort()} was called. */
    boolean aborted() {
        return sockets.aborted();
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        return create(url, Proxy.NO_PROXY);
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        if (!"https".equalsIgnoreCase(url.getProtocol())) {
            throw new IOException("the executor reads remote repositories over https only");
        }
        HttpsURLConnection connection = (HttpsURLConnection) (proxy == null ? url.openConnection() : url.openConnection(proxy));
        connection.setSSLSocketFactory(sockets);
        connection.setInstanceFollowRedirects(false); // JGit follows redirects itself, and checks them
        return new Connection(connection);
    }

    @Override
    public GitSession newSession() {
        return new GitSession() {
            @Override
            public HttpConnection configure(HttpConnection connection, boolean sslVerify) {
                return connection; // the trust was set when it was created; sslVerify=false is not honoured
            }

            @Override
            public void close() {
                // nothing is held per session: the sockets belong to the resolution
            }
        };
    }

    /** JGit's view of one request; all but the trust-weakening calls go to the JDK's connection. */
    private final class Connection implements HttpConnection {
        private final HttpURLConnection http;

        Connection(HttpURLConnection http) {
            this.http = requireNonNull(http, "http is null");
        }

        @Override
        public int getResponseCode() throws IOException {
            int status = http.getResponseCode();
            lastStatus = status;
            return status;
        }

        @Override
        public URL getURL() {
            return http.getURL();
        }

        @Override
        public String getResponseMessage() throws IOException {
            return http.getResponseMessage();
        }

        @Override
        public Map<String, List<String>> getHeaderFields() {
            return http.getHeaderFields();
        }

        @Override
        public void setRequestProperty(String key, String value) {
            http.setRequestProperty(key, value);
        }

        @Override
        public void setRequestMethod(String method) throws ProtocolException {
            http.setRequestMethod(method);
        }

        @Override
        public void setUseCaches(boolean usecaches) {
            http.setUseCaches(usecaches);
        }

        @Override
        public void setConnectTimeout(int timeout) {
            http.setConnectTimeout(timeout);
        }

        @Override
        public void setReadTimeout(int timeout) {
            http.setReadTimeout(timeout);
        }

        @Override
        public String getContentType() {
            return http.getContentType();
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return http.getInputStream();
        }

        @Override
        public String getHeaderField(String name) {
            return http.getHeaderField(name);
        }

        @Override
        public List<String> getHeaderFields(String name) {
            // the JDK's map is keyed as the server spelled the names; JGit asks case-insensitively
            return http.getHeaderFields().entrySet().stream()
                    .filter(header -> header.getKey() != null && header.getKey().equalsIgnoreCase(name))
                    .flatMap(header -> header.getValue().stream()).toList();
        }

        @Override
        public int getContentLength() {
            return http.getContentLength();
        }

        @Override
        public void setInstanceFollowRedirects(boolean followRedirects) {
            http.setInstanceFollowRedirects(followRedirects);
        }

        @Override
        public void setDoOutput(boolean dooutput) {
            http.setDoOutput(dooutput);
        }

        @Override
        public void setFixedLengthStreamingMode(int contentLength) {
            http.setFixedLengthStreamingMode(contentLength);
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return http.getOutputStream();
        }

        @Override
        public void setChunkedStreamingMode(int chunklen) {
            http.setChunkedStreamingMode(chunklen);
        }

        @Override
        public String getRequestMethod() {
            return http.getRequestMethod();
        }

        @Override
        public boolean usingProxy() {
            return http.usingProxy();
        }

        @Override
        public void connect() throws IOException {
            http.connect();
        }

        @Override
        public void configure(KeyManager[] km, TrustManager[] tm, SecureRandom random) throws KeyManagementException {
            throw new KeyManagementException("the executor's git connections trust only the configured and the JDK's CAs");
        }

        @Override
        public void setHostnameVerifier(HostnameVerifier hostnameverifier) throws KeyManagementException {
            throw new KeyManagementException("the executor's git connections always verify the host name");
        }
    }

    /** Hands out the configured TLS sockets and keeps them, so that a resolution out of time can close them. */
    private static final class TrackingSocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final List<Socket> opened = new ArrayList<>(); // guarded by this
        private boolean aborted; // guarded by this

        TrackingSocketFactory(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        synchronized void abort() {
            aborted = true;
            for (Socket socket : opened) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing to unblock a reader: a socket that will not close is already failing it
                }
            }
            opened.clear();
        }

        synchronized boolean aborted() {
            return aborted;
        }

        private synchronized Socket track(Socket socket) throws IOException {
            if (aborted) {
                socket.close();
                throw new SocketException("the resolution ran out of time");
            }
            opened.add(socket);
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return track(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            return track(delegate.createSocket(socket, host, port, autoClose));
        }

        @Override
        public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
            return track(delegate.createSocket(socket, consumed, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return track(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return track(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return track(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return track(delegate.createSocket(address, port, localAddress, localPort));
        }
    }
}
