package dev.portcullis.cli.call;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The network threads of the CLI's channels, one group for the process, so that the CLI can stop
 * them before it exits. grpc-java's own shared group lives on for a second after the last channel
 * closes, and while its threads wait in {@code epoll_wait} the JVM's exit waits for them too
 * (HotSpot gives threads in native code up to 300 ms to block): a third of a second after every
 * command that made a call. Thread-safe: the group is made once, on the first channel.
 */
public final class ClientEventLoop {
    // guarded by ClientEventLoop.class
    private static EventLoopGroup group;

    private ClientEventLoop() {}

    /** A channel builder for {@code address} whose transport runs on this process' group. */
    static ManagedChannelBuilder<?> channelBuilder(String address, ChannelCredentials credentials) {
        return NettyChannelBuilder.forTarget(address, credentials).eventLoopGroup(group()).channelType(NioSocketChannel.class);
    }

    private static synchronized EventLoopGroup group() {
        if (group == null) {
            group = new NioEventLoopGroup(1, new DefaultThreadFactory("portcullis-cli-io", true));
        }
        return group;
    }

    /**
     * Stops the group's threads, waiting at most a second: for the CLI's exit, after its channels
     * were shut down. Nothing when no channel was made.
     */
    public static synchronized void shutdown() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
            group = null;
        }
    }
}
