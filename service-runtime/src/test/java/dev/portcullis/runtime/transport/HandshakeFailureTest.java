package dev.portcullis.runtime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.netty.shaded.io.netty.handler.codec.DecoderException;
import io.grpc.netty.shaded.io.netty.handler.ssl.NotSslRecordException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** How the engines' handshake failures become an audit reason, from the exceptions Netty hands over. */
class HandshakeFailureTest {

    @Test
    void aPeerThatClosesTheConnectionIsNoRefusal() {
        assertEquals(Optional.empty(), HandshakeFailure.of(new ClosedChannelException()));
    }

    @Test
    void aHandshakeThatTimesOutIsNoRefusal() {
        assertEquals(Optional.empty(), HandshakeFailure.of(new SslHandshakeTimeoutException("handshake timed out after 10000ms")));
    }

    @Test
    void bytesThatAreNoTlsRecordAreNotTls() {
        Optional<HandshakeFailure> failure = HandshakeFailure.of(
                new DecoderException(new NotSslRecordException("not an SSL/TLS record: 505249")));

        assertEquals("NOT_TLS", failure.orElseThrow().reason());
    }

    @Test
    void boringSslsMissingCertificateIsNoClientCertificate() {
        Optional<HandshakeFailure> failure = HandshakeFailure.of(new SSLHandshakeException(
                "error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE"));

        assertEquals("NO_CLIENT_CERTIFICATE", failure.orElseThrow().reason());
    }

    @Test
    void theJdksMissingCertificateIsNoClientCertificate() {
        Optional<HandshakeFailure> failure = HandshakeFailure.of(new SSLHandshakeException("Empty client certificate chain"));

        assertEquals("NO_CLIENT_CERTIFICATE", failure.orElseThrow().reason());
    }

    @Test
    void anAlertFromTheClientIsNamedFromTheFixedList() {
        Optional<HandshakeFailure> failure = HandshakeFailure.of(new SSLHandshakeException(
                "error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"));

        assertEquals(new HandshakeFailure("HANDSHAKE_FAILED", "the client sent alert unknown_ca"), failure.orElseThrow());
    }

    @Test
    void anUnknownTlsFailureIsRecordedWithoutTheEnginesMessage() {
        Optional<HandshakeFailure> failure = HandshakeFailure.of(new SSLHandshakeException("CN=mallory said something"));

        assertEquals(new HandshakeFailure("HANDSHAKE_FAILED", "TLS handshake failed"), failure.orElseThrow());
    }
}
