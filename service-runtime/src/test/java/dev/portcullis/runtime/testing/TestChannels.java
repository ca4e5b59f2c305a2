package dev.portcullis.runtime.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Client channels for tests, built the way an ordinary gRPC client would build them. */
public final class TestChannels {
    private TestChannels() {}

    /** An mTLS channel to localhost:port presenting {@code credential}. */
    public static ManagedChannel mtls(int port, TestPki.Credential credential) {
        try {
            ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
                    .keyManager(credential.certFile().toFile(), credential.keyFile().toFile())
                    .trustManager(credential.caFile().toFile())
                    .build();
            return Grpc.newChannelBuilder("localhost:" + port, credentials).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TLS channel that trusts {@code caFile} but presents no client certificate. */
    public static ManagedChannel tlsWithoutClientCertificate(int port, Path caFile) {
        try {
            return Grpc.newChannelBuilder("localhost:" + port,
                    TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build()).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plaintext channel. */
    public static ManagedChannel plaintext(int port) {
        return Grpc.newChannelBuilder("localhost:" + port, InsecureChannelCredentials.create()).build();
    }

    /**
     * An mTLS channel that records the server certificate it was shown in {@code seen}, after
     * checking it against the CA like any client.
     */
    public static ManagedChannel mtlsRecordingServer(
            int port, TestPki.Credential credential, AtomicReference<X509Certificate> seen) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", dev.portcullis.runtime.pki.PemFiles.readCertificate(credential.caFile()));
            factory.init(store);
            X509TrustManager delegate = (X509TrustManager) factory.getTrustManagers()[0];
            X509TrustManager recording = new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType)
                        throws java.security.cert.CertificateException {
                    delegate.checkClientTrusted(chain, authType);
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType)
                        throws java.security.cert.CertificateException {
                    delegate.checkServerTrusted(chain, authType);
                    seen.set(chain[0]);
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return delegate.getAcceptedIssuers();
                }
            };
            ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
                    .keyManager(credential.certFile().toFile(), credential.keyFile().toFile())
                    .trustManager(recording)
                    .build();
            return Grpc.newChannelBuilder("localhost:" + port, credentials).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Call credentials sending {@code authorization: Bearer TOKEN}, as a CI job's or the console's client does. */
    public static CallCredentials bearer(String token) {
        return authorization("Bearer " + token);
    }

    /** Call credentials sending {@code authorization: VALUE} as it is, for malformed headers. */
    public static CallCredentials authorization(String value) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value);
                applier.apply(headers);
            }
        };
    }

    /** The {@code ErrorInfo} reason of refusal {@code refused}; fails the test when it carries none. */
    public static String reason(StatusRuntimeException refused) {
        try {
            return StatusProto.fromThrowable(refused).getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst()
                    .orElseThrow(() -> new AssertionError("the refusal carries no ErrorInfo: " + refused.getStatus()))
                    .unpack(ErrorInfo.class).getReason();
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
