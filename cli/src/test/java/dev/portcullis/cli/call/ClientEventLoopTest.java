package dev.portcullis.cli.call;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ConnectivityState;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The CLI's network threads are gone once it shuts their group down, so nothing holds the JVM's
 * exit (HotSpot waits up to 300 ms for threads in native code). Isolated: the group is the
 * process', and the other CLI tests' channels run on it.
 */
@Isolated
class ClientEventLoopTest {
    private static long ioThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("portcullis-cli-io") && thread.isAlive()).count();
    }

    @Test
    void shutdownStopsTheThreadsAChannelStarted() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ManagedChannel channel = ClientEventLoop.channelBuilder("127.0.0.1:" + closedPort, InsecureChannelCredentials.create())
                .build();
        channel.getState(true); // connect: the group's thread starts
        await().atMost(Duration.ofSeconds(30)).until(() -> channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE);
        assertTrue(ioThreads() > 0, "the channel's connection ran on the CLI's group");
        channel.shutdownNow();

        ClientEventLoop.shutdown();

        // a terminated loop's thread may still be finishing its last instructions, and on a loaded
        // machine the one-second wait in shutdown may end first: the threads must be gone soon after
        await().atMost(Duration.ofSeconds(10)).until(() -> ioThreads() == 0);
    }
}
