package dev.portcullis.console.http;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.web.Layout;
import dev.portcullis.console.web.WebResponse;

import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser connection's limits, in Micronaut's Netty pipeline right after the HTTP codec, on
 * the connection's event loop: a request must arrive whole within {@code requestDeadline} of the
 * connection opening or of the previous answer ending (so a client sending its request a byte at a
 * time costs a little memory and no thread, for a bounded time); an answer the browser takes
 * nothing of for {@code stall} is given up and the connection closed; a request the codec cannot
 * read is answered 400, and a body declared larger than {@code maxBody} is read and dropped and
 * answered 413 (at once with {@code Expect: 100-continue}, where the browser waits to be told
 * before sending it); both close the connection after the answer. A body over the limit sent in
 * chunks, without a declared length, is refused by Micronaut's own limit, set to the same size. Micronaut's own idle
 * timeouts are off: they would close an event stream that is quiet for a while. Not sharable: one
 * instance per connection, its state confined to the event loop.
 */
final class ConnectionGuard extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

    private final int maxBody;
    private final Duration requestDeadline;

    // guarded by the channel's event loop
    private boolean reading;
    private boolean dropping;
    private boolean draining;
    private int answersOwed;
    private ScheduledFuture<?> deadline;

    private ConnectionGuard(int maxBody, Duration requestDeadline) {
        this.maxBody = maxBody;
        this.requestDeadline = requireNonNull(requestDeadline, "requestDeadline is null");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (dropping) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (draining) {
            // the body of a request refused as too large: read and dropped, so the browser, still sending it, reads the answer
            boolean last = message instanceof LastHttpContent;
            ReferenceCountUtil.release(message);
            if (last) {
                draining = false;
                refuse(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "Request refused", "The form is too large or not a form.");
            }
            return;
        }
        if (message instanceof HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                ReferenceCountUtil.release(message);
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, "Bad request", "The browser sent a request the console cannot read.");
                return;
            }
            if (HttpUtil.getContentLength(request, 0L) > maxBody) {
                if (HttpUtil.is100ContinueExpected(request) || message instanceof LastHttpContent) {
                    // the browser waits to be told before it sends the body: answered now
                    ReferenceCountUtil.release(message);
                    refuse(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "Request refused", "The form is too large or not a form.");
                } else {
                    ReferenceCountUtil.release(message);
                    reading = true; // the deadline still holds
                    draining = true;
                }
                return;
            }
            reading = true;
        } else if (message instanceof HttpObject object && object.decoderResult().isFailure()) {
            ReferenceCountUtil.release(message);
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "Bad request", "The browser sent a request the console cannot read.");
            return;
        }
        if (message instanceof LastHttpContent && reading) {
            reading = false;
            answersOwed++;
            cancelDeadline();
        }
        ctx.fireChannelRead(message);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
        boolean interim = message instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (message instanceof LastHttpContent && !interim) {
            promise = promise.unvoid();
            promise.addListener(written -> answered(ctx));
        }
        ctx.write(message, promise);
    }

    /** An answer was written whole: with none owed and none being read, the next request must come within the deadline. */
    private void answered(ChannelHandlerContext ctx) {
        answersOwed = Math.max(0, answersOwed - 1);
        if (answersOwed == 0 && !reading && ctx.channel().isActive()) {
            armDeadline(ctx.channel());
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
            return; // the guard's own stall timer; Micronaut's would close a quiet event stream
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    /** Answers {@code status} with the console's problem page and closes the connection; nothing more is read from it. */
    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String title, String text) {
        dropping = true;
        cancelDeadline();
        WebResponse page = Layout.problem(status.code(), Optional.empty(), title, text);
        byte[] body = ((WebResponse.Body.Bytes) page.body()).bytes();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        page.headers().forEach(response.headers()::set);
        SecurityHeaders.apply(response.headers()::set);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void armDeadline(Channel channel) {
        cancelDeadline();
        deadline = channel.eventLoop().schedule(() -> {
            if (reading || answersOwed == 0) { // not while a request read whole waits for its answer
                log.atDebug().log("console.request_too_slow");
                channel.close();
            }
        }, requestDeadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Puts a guard, and the write-stall timer it reads, on every connection Micronaut's server accepts. */
    static final class Customizer implements NettyServerCustomizer {
        private final int maxBody;
        private final Duration requestDeadline;
        private final Duration stall;

        Customizer(int maxBody, Duration requestDeadline, Duration stall) {
            this.maxBody = maxBody;
            this.requestDeadline = requireNonNull(requestDeadline, "requestDeadline is null");
            this.stall = requireNonNull(stall, "stall is null");
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            if (role != ChannelRole.CONNECTION) {
                return this;
            }
            ConnectionGuard guard = new ConnectionGuard(maxBody, requestDeadline);
            // the deadline runs from the connection opening: the TLS handshake and the first request count against it
            channel.eventLoop().execute(() -> guard.armDeadline(channel));
            return new OnConnection(channel, guard, stall);
        }
    }

    /** Adds the guard once the connection's HTTP codec is in its pipeline. */
    private static final class OnConnection implements NettyServerCustomizer {
        private final Channel channel;
        private final ConnectionGuard guard;
        private final Duration stall;
        private boolean installed;

        OnConnection(Channel channel, ConnectionGuard guard, Duration stall) {
            this.channel = channel;
            this.guard = guard;
            this.stall = stall;
        }

        @Override
        public void onInitialPipelineBuilt() {
            install();
        }

        @Override
        public void onStreamPipelineBuilt() {
            install();
        }

        private void install() {
            ChannelPipeline pipeline = channel.pipeline();
            if (installed || pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) == null) {
                return;
            }
            pipeline.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, "console-stall",
                    new IdleStateHandler(true, 0, stall.toMillis(), 0, TimeUnit.MILLISECONDS));
            pipeline.addAfter("console-stall", "console-guard", guard);
            installed = true;
        }
    }
}
