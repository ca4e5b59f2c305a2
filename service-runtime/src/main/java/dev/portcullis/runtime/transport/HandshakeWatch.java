package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLEngine;

/**
 * Stands where grpc-java's server TLS negotiation handler would, puts that handler right behind
 * itself, and, as soon as the negotiation has put its {@link SslHandler} in the pipeline, hands
 * that handshake's failure (with the connection's remote address) to {@link HandshakeRefusals}
 * and leaves the pipeline: an established connection carries no trace of it, so calls cost
 * nothing more. One per connection; used on the connection's event loop only.
 */
final class HandshakeWatch extends ChannelInboundHandlerAdapter {
    private final ChannelHandler negotiation;
    private final HandshakeRefusals refusals;

    HandshakeWatch(ChannelHandler negotiation, HandshakeRefusals refusals) {
        this.negotiation = requireNonNull(negotiation, "negotiation is null");
        this.refusals = requireNonNull(refusals, "refusals is null");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.pipeline().addAfter(ctx.name(), null, negotiation);
        watchOnceReady(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        watchOnceReady(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        ctx.fireUserEventTriggered(event);
        watchOnceReady(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        // the first bytes pass here before they reach the SslHandler, which exists by then
        watchOnceReady(ctx);
        ctx.fireChannelRead(message);
    }

    /** Once the negotiation has added its SslHandler: watch its handshake, and step out. */
    private void watchOnceReady(ChannelHandlerContext ctx) {
        if (ctx.isRemoved()) {
            return;
        }
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return;
        }
        Channel channel = ctx.channel();
        SSLEngine engine = tls.engine();
        tls.handshakeFuture().addListener(handshake -> {
            if (!handshake.isSuccess()) {
                refusals.handshakeFailed(channel.remoteAddress(), engine, handshake.cause());
            }
        });
        ctx.pipeline().remove(this);
    }
}
