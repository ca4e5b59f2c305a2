package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One request read whole (head and a form body of at most the server's limit) and the connection
 * its answer goes to. An answer is sent exactly once: {@link #send} or {@link #startEvents} and
 * {@link #endEvents}. Bodies in hand are queued without waiting; a streamed body or event stream
 * waits, on its own thread (never an event loop), while the browser is slow to take what was sent,
 * and gives up after {@code stall}. Thread-safe in that sense: one thread answers at a time.
 */
final class Exchange {
    final String method;
    final String target;
    /** Header names lower-case, first value of each. */
    final Map<String, String> headers;
    final byte[] body;
    /** The body was over the server's limit and was dropped. */
    final boolean bodyTooLarge;
    private final Channel channel;
    private final HttpVersion version;
    private final boolean keepAlive;
    private final Duration stall;
    /** Told, on the connection's event loop, whether the connection may carry another request. */
    private final Consumer<Boolean> answered;

    Exchange(Channel channel, HttpVersion version, String method, String target, Map<String, String> headers, byte[] body,
            boolean bodyTooLarge, boolean keepAlive, Duration stall, Consumer<Boolean> answered) {
        this.channel = requireNonNull(channel, "channel is null");
        this.version = requireNonNull(version, "version is null");
        this.method = requireNonNull(method, "method is null");
        this.target = requireNonNull(target, "target is null");
        this.headers = Map.copyOf(headers);
        this.body = requireNonNull(body, "body is null");
        this.bodyTooLarge = bodyTooLarge;
        this.keepAlive = keepAlive;
        this.stall = requireNonNull(stall, "stall is null");
        this.answered = requireNonNull(answered, "answered is null");
    }

    /** The connection's peer as "ip:port", for audit records; empty when unknown. */
    String peer() {
        if (channel.remoteAddress() instanceof java.net.InetSocketAddress peer && peer.getAddress() != null) {
            String host = peer.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + peer.getPort();
        }
        return "";
    }

    /**
     * Sends {@code response} with the security headers every answer carries. A streamed body is
     * written here, chunked; when it fails half-way the connection is dropped without the last
     * chunk, so the browser reports the download as failed rather than keeping a truncated file.
     *
     * @throws IOException when a streamed body failed (the connection is already dropped)
     */
    void send(WebResponse response) throws IOException {
        if (response.body() instanceof WebResponse.Body.Streamed streamed) {
            HttpResponse head = new DefaultHttpResponse(version, HttpResponseStatus.valueOf(response.status()));
            headers(head.headers(), response.headers());
            chunked(head);
            write(head);
            try (OutputStream out = new ChunkStream()) {
                streamed.writer().writeTo(out);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw new IOException("the answer's body failed while it was sent", e);
            }
            finish(channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            return;
        }
        sendInHand(response);
    }

    /**
     * Sends {@code response}, whose body is in hand, with the security headers every answer
     * carries; never waits, so an event loop may call it.
     *
     * @throws IllegalArgumentException when the body is streamed
     */
    void sendInHand(WebResponse response) {
        if (!(response.body() instanceof WebResponse.Body.Bytes inHand)) {
            throw new IllegalArgumentException("a streamed body is sent by send(), off the event loop");
        }
        byte[] bytes = inHand.bytes();
        HttpResponseStatus status = HttpResponseStatus.valueOf(response.status());
        FullHttpResponse reply = new DefaultFullHttpResponse(version, status,
                method.equals("HEAD") || bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        headers(reply.headers(), response.headers());
        if (status.code() != 204 && status.code() >= 200) {
            reply.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        }
        connection(reply.headers());
        finish(channel.writeAndFlush(reply));
    }

    /** Sends the head of an event stream; then {@link #sendEvent} for each event, {@link #endEvents} at the end. */
    void startEvents() throws IOException {
        HttpResponse head = new DefaultHttpResponse(version, HttpResponseStatus.OK);
        headers(head.headers(), Map.of("Content-Type", "text/event-stream; charset=utf-8", "X-Accel-Buffering", "no"));
        chunked(head);
        write(head);
    }

    /** Sends one event's text; false once the browser is gone or stopped reading for longer than the stall limit. */
    boolean sendEvent(String event) {
        try {
            write(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Ends an event stream. */
    void endEvents() {
        finish(channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
    }

    /** Drops the connection without an answer (the server is closing). */
    void abandon() {
        channel.close();
    }

    private void chunked(HttpResponse head) {
        if (version.equals(HttpVersion.HTTP_1_0)) {
            // HTTP/1.0 has no chunks: the body ends when the connection does
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else {
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            connection(head.headers());
        }
    }

    private void connection(HttpHeaders headers) {
        if (!keepAlive || version.equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
    }

    private boolean reusable() {
        return keepAlive && !version.equals(HttpVersion.HTTP_1_0);
    }

    /** The connection is free again once the last write is done; otherwise it is closed. */
    private void finish(ChannelFuture last) {
        last.addListener(done -> {
            boolean again = done.isSuccess() && reusable() && channel.isActive();
            if (!again) {
                channel.close();
            }
            answered.accept(again);
        });
    }

    /** Writes {@code message}; while the browser is slow to read, waits for it, up to the stall limit. */
    private void write(Object message) throws IOException {
        if (!channel.isActive()) {
            ReferenceCountUtil.release(message);
            throw new IOException("the browser went away");
        }
        ChannelFuture written = channel.writeAndFlush(message);
        if (!channel.isWritable() && !written.awaitUninterruptibly(stall.toMillis())) {
            channel.close();
            throw new IOException("the browser stopped reading");
        }
        if (written.isDone() && !written.isSuccess()) {
            throw new IOException("the browser went away", written.cause());
        }
    }

    private static void headers(HttpHeaders out, Map<String, String> own) {
        out.set("Content-Security-Policy", ConsoleHttpServer.CONTENT_SECURITY_POLICY);
        out.set("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the console's own form posts
        out.set("Referrer-Policy", "same-origin");
        out.set("X-Frame-Options", "DENY");
        out.set("Cross-Origin-Opener-Policy", "same-origin");
        out.set("Cache-Control", "no-store");
        out.set("Strict-Transport-Security", "max-age=31536000");
        own.forEach((name, value) -> {
            if (name.equals("Set-Cookie")) {
                for (String each : value.split("\n")) {
                    out.add(name, each);
                }
            } else {
                out.set(name, value);
            }
        });
    }

    /** A streamed body's bytes, sent as chunks of at most 8 KiB. */
    private final class ChunkStream extends OutputStream {
        private static final int CHUNK = 8 * 1024;
        private final byte[] buffer = new byte[CHUNK];
        private int used;

        @Override
        public void write(int b) throws IOException {
            if (used == CHUNK) {
                flush();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                if (used == CHUNK) {
                    flush();
                }
                int n = Math.min(length, CHUNK - used);
                System.arraycopy(bytes, offset, buffer, used, n);
                used += n;
                offset += n;
                length -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            if (used > 0) {
                Exchange.this.write(new DefaultHttpContent(Unpooled.copiedBuffer(buffer, 0, used)));
                used = 0;
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
