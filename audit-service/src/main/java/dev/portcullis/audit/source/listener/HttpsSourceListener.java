package dev.portcullis.audit.source.listener;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.source.Delivery;
import dev.portcullis.audit.source.DeliveryOutcome;
import dev.portcullis.audit.source.SourceIntake;
import dev.portcullis.audit.source.Verdict;
import dev.portcullis.runtime.json.CanonicalJson;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener outside sources deliver to: {@code POST /sources/NAME}. Server-authenticated
 * TLS 1.2/1.3 with the audit service's own (rotating) certificate; forges cannot present client
 * certificates, so each delivery is authenticated by its source's signature instead
 * ({@link SourceIntake}). Answers with a small JSON body and the status of the verdict:
 * 202 accepted, 400 malformed or without delivery id, 401 bad or missing signature, 404 unknown
 * source, 405 not POST, 409 replayed or too old, 413 too large, 415 not JSON, 503 store down.
 *
 * <p>A small Netty HTTP/1.1 server with its own limits, none of them JVM-wide: a request (TLS
 * handshake, headers and body) must arrive within {@link Limits#requestTimeout()} or is answered
 * 408 and disconnected, and so is a kept-alive connection left idle that long; a request line over
 * {@value #MAX_REQUEST_LINE} bytes is answered 414, headers over {@value #MAX_HEADER_BYTES} bytes
 * 431; bodies are read only up to {@link Limits#maxBodyBytes()} (a larger declared length is
 * refused before any of it is read, a larger chunked body as soon as it passes the limit); at most
 * {@link Limits#maxConnections()} connections are held, more are closed on arrival. Deliveries
 * run on {@link Limits#threads()} threads of their own, never on the I/O threads, and a connection
 * reads nothing more until its delivery is answered. Thread-safe; {@link #start()} once,
 * {@link #close()} once.
 */
public final class HttpsSourceListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpsSourceListener.class);
    private static final String PREFIX = "/sources/";
    static final int MAX_REQUEST_LINE = 4096;
    static final int MAX_HEADER_BYTES = 16 * 1024;

    /**
     * What one listener allows.
     *
     * @param maxBodyBytes largest body read; larger ones are refused with 413
     * @param requestTimeout how long a request may take to arrive, TLS handshake included, and how
     *     long a kept-alive connection may sit idle
     * @param maxConnections connections held open at once
     * @param threads deliveries handled at once
     */
    public record Limits(long maxBodyBytes, Duration requestTimeout, int maxConnections, int threads) {
        public Limits {
            if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 1) {
                throw new IllegalArgumentException("maxBodyBytes must be between 1 and 2^31 - 2");
            }
            requireNonNull(requestTimeout, "requestTimeout is null");
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive");
            }
            if (maxConnections < 1 || threads < 1) {
                throw new IllegalArgumentException("maxConnections and threads must be positive");
            }
        }
    }

    private final SSLContext tls;
    private final SourceIntake intake;
    private final Limits limits;
    private final EventLoopGroup io;
    private final ExecutorService threads;
    private final Channel server;
    private final AtomicInteger open = new AtomicInteger();

    /**
     * Binds {@code host:port} (0 picks a free port); serving begins with {@link #start()}.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public HttpsSourceListener(String host, int port, SSLContext tls, SourceIntake intake, Limits limits) {
        this.tls = requireNonNull(tls, "tls is null");
        this.intake = requireNonNull(intake, "intake is null");
        this.limits = requireNonNull(limits, "limits is null");
        AtomicInteger number = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(limits.threads(), runnable -> {
            Thread thread = new Thread(runnable, "audit-sources-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.io = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("audit-sources-io", true),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 64)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // reading starts once the connection is admitted
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        admit(channel);
                    }
                });
        try {
            this.server = bootstrap.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind failure undeclared
            io.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            threads.shutdownNow();
            String why = e instanceof BindException ? "address already in use or not available" : e.getClass().getSimpleName();
            throw new UncheckedIOException("the sources listener cannot listen on " + host + ":" + port + " (" + why
                    + "); change portcullis.audit.sources.port or portcullis.audit.sources.host",
                    new java.io.IOException(why, e));
        }
    }

    /** Starts serving. */
    public void start() {
        server.config().setAutoRead(true);
        log.atInfo().addKeyValue("port", port()).log("audit.sources_listener_started");
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private void admit(SocketChannel channel) {
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            channel.close();
            return;
        }
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        SSLEngine engine = tls.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters ssl = tls.getDefaultSSLParameters();
        ssl.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        ssl.setNeedClientAuth(false);
        ssl.setWantClientAuth(false);
        engine.setSSLParameters(ssl);
        SslHandler tlsHandler = new SslHandler(engine);
        tlsHandler.setHandshakeTimeoutMillis(limits.requestTimeout().toMillis());
        ChannelPipeline pipeline = channel.pipeline();
        Deliveries deliveries = new Deliveries();
        pipeline.addLast("tls", tlsHandler);
        pipeline.addLast("started", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                deliveries.started = true; // some of a request has arrived
                ctx.fireChannelRead(msg);
            }
        });
        pipeline.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setMaxChunkSize(16 * 1024)));
        pipeline.addLast("body", new BoundedBody((int) limits.maxBodyBytes()));
        pipeline.addLast("deliveries", deliveries);
        channel.config().setAutoRead(true);
    }

    /**
     * Collects a request's body up to the limit; past it, the request goes to the intake as
     * oversized, with no body, and the rest of it is never read into memory.
     */
    private final class BoundedBody extends HttpObjectAggregator {
        BoundedBody(int maxBodyBytes) {
            super(maxBodyBytes);
        }

        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            // a too-large declared length is refused through the intake (and audited), not here
            return isContentLengthInvalid(start, maxContentLength) ? null
                    : super.newContinueResponse(start, maxContentLength, pipeline);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            if (oversized instanceof HttpRequest request) {
                ctx.pipeline().get(Deliveries.class).deliver(ctx, request, new byte[0], true);
            } else {
                ctx.close();
            }
        }
    }

    /**
     * Hands each complete request to the intake on the delivery threads and answers it; keeps the
     * request deadline. Runs on the connection's event loop, so its fields need no guard.
     */
    private final class Deliveries extends SimpleChannelInboundHandler<FullHttpRequest> {
        private ScheduledFuture<?> deadline;
        private boolean closing;
        /** Whether any of the next request has arrived since the deadline was armed. */
        boolean started;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            armDeadline(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarmDeadline();
            ctx.fireChannelInactive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.decoderResult().isFailure()) {
                Throwable cause = request.decoderResult().cause();
                HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                        ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                        : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                        : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                        : HttpResponseStatus.BAD_REQUEST;
                refuseAndClose(ctx, status, "REQUEST_REFUSED");
                return;
            }
            deliver(ctx, request, ByteBufUtil.getBytes(request.content()), false);
        }

        /** Passes one request to the intake off the event loop; answers it back on the event loop. */
        void deliver(ChannelHandlerContext ctx, HttpRequest request, byte[] body, boolean oversized) {
            disarmDeadline();
            ctx.channel().config().setAutoRead(false); // one delivery at a time per connection
            boolean keepAlive = !oversized && HttpUtil.isKeepAlive(request);
            String path = rawPath(request.uri());
            if (path == null) {
                refuseAndClose(ctx, HttpResponseStatus.BAD_REQUEST, "REQUEST_REFUSED");
                return;
            }
            String name = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
            Map<String, String> headers = new LinkedHashMap<>();
            request.headers().forEach(header -> headers.putIfAbsent(header.getKey(), header.getValue()));
            InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
            String remote = peer.getAddress().getHostAddress() + ":" + peer.getPort();
            Delivery delivery = new Delivery(name, request.method().name(), headers, body, oversized, remote);
            try {
                threads.execute(() -> {
                    DeliveryOutcome outcome;
                    try {
                        outcome = intake.receive(delivery);
                    } catch (RuntimeException e) {
                        log.atError().setCause(e).log("audit.source_delivery_failed");
                        outcome = new DeliveryOutcome(Verdict.UNAVAILABLE, 0);
                    }
                    DeliveryOutcome answered = outcome;
                    ctx.executor().execute(() -> respond(ctx, answered, keepAlive, oversized));
                });
            } catch (RejectedExecutionException e) { // closing
                ctx.close();
            }
        }

        private void respond(ChannelHandlerContext ctx, DeliveryOutcome outcome, boolean keepAlive, boolean oversized) {
            FullHttpResponse response = response(HttpResponseStatus.valueOf(status(outcome.verdict())),
                    answer(outcome.verdict() == Verdict.ACCEPTED ? "" : outcome.verdict().name(), outcome.stored()));
            if (outcome.verdict() == Verdict.METHOD_NOT_ALLOWED) {
                response.headers().set(HttpHeaderNames.ALLOW, "POST");
            }
            if (outcome.verdict() == Verdict.UNAVAILABLE) {
                response.headers().set(HttpHeaderNames.RETRY_AFTER, "30");
            }
            if (!keepAlive) {
                // an oversized body is not drained: the connection goes with the answer
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                closing = true;
            }
            if (!keepAlive && !oversized) {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE); // the sender asked to close
                return;
            }
            ctx.writeAndFlush(response);
            // after an oversized body, reading on lets the aggregator discard what the sender still
            // sends, until it closes or the deadline does, rather than resetting under its feet
            armDeadline(ctx);
            ctx.channel().config().setAutoRead(true);
        }

        private void refuseAndClose(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
            disarmDeadline();
            closing = true;
            FullHttpResponse response = response(status, answer(reason, 0));
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        /** The next request must be complete within the request timeout, the first one's TLS handshake included. */
        private void armDeadline(ChannelHandlerContext ctx) {
            disarmDeadline();
            started = false;
            deadline = ctx.executor().schedule(() -> expire(ctx), limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }

        private void disarmDeadline() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        private void expire(ChannelHandlerContext ctx) {
            deadline = null;
            SslHandler tlsHandler = ctx.pipeline().get(SslHandler.class);
            if (closing || !started || tlsHandler == null || !tlsHandler.handshakeFuture().isSuccess()) {
                ctx.close(); // nothing to answer: a handshake, or a kept-alive connection left idle
                return;
            }
            refuseAndClose(ctx, HttpResponseStatus.REQUEST_TIMEOUT, "REQUEST_TIMEOUT");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // TLS failures, resets: the sender's problem, and nothing was delivered
            log.atDebug().addKeyValue("error", cause.getClass().getSimpleName()).log("audit.sources_connection_failed");
            ctx.close();
        }
    }

    /** {@code {"status":"accepted","stored":N}} without a refusal reason, {@code {"status":"refused","reason":R}} with one. */
    private static String answer(String refusal, int stored) {
        return CanonicalJson.write(json -> {
            json.writeStartObject();
            if (refusal.isEmpty()) {
                json.writeStringField("status", "accepted");
                json.writeNumberField("stored", stored);
            } else {
                json.writeStringField("status", "refused");
                json.writeStringField("reason", refusal);
            }
            json.writeEndObject();
        });
    }

    private static FullHttpResponse response(HttpResponseStatus status, String json) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        return response;
    }

    /** The path of a request target, undecoded, without the query; null when it is not a URI. */
    private static String rawPath(String target) {
        try {
            String path = new URI(target).getRawPath();
            return path == null ? "" : path;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** The HTTP status of each verdict. */
    static int status(Verdict verdict) {
        return switch (verdict) {
            case ACCEPTED -> 202;
            case MALFORMED, DELIVERY_ID_MISSING -> 400;
            case SIGNATURE_MISSING, SIGNATURE_INVALID -> 401;
            case UNKNOWN_SOURCE -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case REPLAYED, TOO_OLD -> 409;
            case BODY_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case UNAVAILABLE -> 503;
        };
    }

    /** Stops accepting deliveries, lets running ones finish for up to a second, then stops. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        threads.shutdown();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        log.atInfo().log("audit.sources_listener_stopped");
    }
}
