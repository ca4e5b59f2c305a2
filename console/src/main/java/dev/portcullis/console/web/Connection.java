package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser connection, on its event loop: reads a request whole (a body of at most
 * {@code maxBody} bytes is kept, a larger one is read and dropped), hands it to the server's
 * dispatcher and reads nothing more until it is answered. Why nothing here ever blocks: the event
 * loop serves many connections, so a client sending its request a byte at a time, or never reading
 * its answer, costs a little memory and no thread. Such clients are bounded in time instead: a
 * request must arrive whole within {@code requestDeadline} of the connection opening or of the
 * previous answer ending, and an answer the browser takes nothing of for the writer-idle time is
 * given up. Not sharable: one instance per connection, all its state confined to the event loop.
 */
final class Connection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final int maxBody;
    private final Duration requestDeadline;
    private final Duration stall;
    private final Consumer<Exchange> dispatcher;

    // guarded by the channel's event loop
    private HttpRequest head;
    private ByteArrayOutputStream body;
    private boolean bodyTooLarge;
    private boolean inFlight;
    private boolean closeAfterAnswer;
    private ScheduledFuture<?> deadline;

    Connection(int maxBody, Duration requestDeadline, Duration stall, Consumer<Exchange> dispatcher) {
        this.maxBody = maxBody;
        this.requestDeadline = requireNonNull(requestDeadline, "requestDeadline is null");
        this.stall = requireNonNull(stall, "stall is null");
        this.dispatcher = requireNonNull(dispatcher, "dispatcher is null");
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armDeadline(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        try {
            if (inFlight) {
                // a pipelined request (browsers do not pipeline): dropped, and the connection closed after the answer in flight
                closeAfterAnswer = true;
                return;
            }
            if (message instanceof HttpRequest request) {
                if (request.decoderResult().isFailure()) {
                    badRequest(ctx, request.protocolVersion());
                    return;
                }
                head = request;
                body = new ByteArrayOutputStream();
                bodyTooLarge = HttpUtil.getContentLength(request, 0L) > maxBody;
                if (HttpUtil.is100ContinueExpected(request)) {
                    if (bodyTooLarge) {
                        // the browser waits to be told before it sends the body: answered now, and the connection not reused
                        closeAfterAnswer = true;
                        dispatch(ctx);
                        return;
                    }
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                }
            }
            if (message instanceof HttpContent content && head != null) {
                if (content.decoderResult().isFailure()) {
                    badRequest(ctx, head.protocolVersion());
                    return;
                }
                ByteBuf bytes = content.content();
                if (!bodyTooLarge && body.size() + bytes.readableBytes() <= maxBody) {
                    bytes.readBytes(body, bytes.readableBytes());
                } else {
                    bodyTooLarge = true;
                }
                if (message instanceof LastHttpContent) {
                    dispatch(ctx);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // ByteArrayOutputStream does not throw
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
            if (pending != null && pending.totalPendingWriteBytes() > 0) {
                log.atDebug().log("console.reader_stalled");
                ctx.close(); // the browser took nothing of its answer for the writer-idle time
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.atDebug().addKeyValue("error", cause.getClass().getSimpleName()).log("console.connection_failed");
        ctx.close();
    }

    private void dispatch(ChannelHandlerContext ctx) {
        cancelDeadline();
        inFlight = true;
        HttpRequest request = head;
        head = null;
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(header -> headers.putIfAbsent(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !closeAfterAnswer;
        dispatcher.accept(new Exchange(ctx.channel(), request.protocolVersion(), request.method().name(), request.uri(), headers,
                body.toByteArray(), bodyTooLarge, keepAlive, stall, again -> answered(ctx, again)));
        body = null;
    }

    /** On the event loop, once the answer is written: the next request may come (and must, within the deadline). */
    private void answered(ChannelHandlerContext ctx, boolean again) {
        inFlight = false;
        if (!again || closeAfterAnswer) {
            ctx.close();
            return;
        }
        armDeadline(ctx);
    }

    /** Malformed HTTP (or a head over the codec's limits): answered 400, and the connection closed, as its framing is lost. */
    private void badRequest(ChannelHandlerContext ctx, HttpVersion version) {
        cancelDeadline();
        inFlight = true;
        head = null;
        body = null;
        Exchange exchange = new Exchange(ctx.channel(), version, "GET", "/", Map.of(), new byte[0], false, false, stall,
                again -> ctx.close());
        exchange.sendInHand(Layout.problem(400, Optional.empty(), "Bad request", "The browser sent a request the console cannot read."));
    }

    private void armDeadline(ChannelHandlerContext ctx) {
        cancelDeadline();
        deadline = ctx.executor().schedule(() -> {
            if (!inFlight) {
                log.atDebug().log("console.request_too_slow");
                ctx.close();
            }
        }, requestDeadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
