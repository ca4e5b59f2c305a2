package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server's check of client certificates, noting what a refused client presented: a
 * certificate the trust bundle does not vouch for (another CA, expired, not yet valid, a bad
 * signature) ends the handshake before any RPC, and the trust manager is the one place that sees
 * it. The note goes to {@link HandshakeRefusals}, keyed by the connection's engine, which records
 * the refusal when the handshake has failed and the peer's address is known. The refusal itself
 * is unchanged: the failure is rethrown. Thread-safe.
 */
final class NotingClientTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final HandshakeRefusals refusals;

    NotingClientTrust(X509ExtendedTrustManager delegate, HandshakeRefusals refusals) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.refusals = requireNonNull(refusals, "refusals is null");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            if (engine != null && chain != null && chain.length > 0 && chain[0] != null) {
                refusals.chainRefused(engine, chain[0], e);
            }
            throw e;
        }
    }

    // the servers' TLS runs on Netty's SSLEngines; these two serve no server of ours and note nothing

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
