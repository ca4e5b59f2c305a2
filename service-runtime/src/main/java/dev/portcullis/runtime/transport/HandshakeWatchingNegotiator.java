package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerCredentials;
import io.grpc.internal.ObjectPool;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.util.concurrent.Executor;

/**
 * grpc-java's own server TLS negotiation, with a {@link HandshakeWatch} in front of each
 * connection's: grpc-java ends a failed handshake quietly (a FINE log line), and no interceptor or
 * transport filter ever sees a connection that never became a transport. This is the one hook
 * grpc-java offers for it (its xDS security uses the same). Thread-safe.
 */
final class HandshakeWatchingNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private final InternalProtocolNegotiator.ProtocolNegotiator tls;
    private final HandshakeRefusals refusals;

    private HandshakeWatchingNegotiator(InternalProtocolNegotiator.ProtocolNegotiator tls, HandshakeRefusals refusals) {
        this.tls = requireNonNull(tls, "tls is null");
        this.refusals = requireNonNull(refusals, "refusals is null");
    }

    /** {@code tls} (TLS server credentials), each failed handshake recorded by {@code refusals}. */
    static ServerCredentials watching(ServerCredentials tls, HandshakeRefusals refusals) {
        InternalProtocolNegotiator.ServerFactory negotiation = InternalNettyServerCredentials.toNegotiator(tls);
        requireNonNull(refusals, "refusals is null");
        return InternalNettyServerCredentials.create(new InternalProtocolNegotiator.ServerFactory() {
            @Override
            public InternalProtocolNegotiator.ProtocolNegotiator newNegotiator(ObjectPool<? extends Executor> offloadExecutorPool) {
                return new HandshakeWatchingNegotiator(negotiation.newNegotiator(offloadExecutorPool), refusals);
            }
        });
    }

    @Override
    public AsciiString scheme() {
        return tls.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return new HandshakeWatch(tls.newHandler(grpcHandler), refusals);
    }

    @Override
    public void close() {
        tls.close();
    }
}
