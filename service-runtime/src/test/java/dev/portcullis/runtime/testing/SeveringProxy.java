package dev.portcullis.runtime.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay to one port whose connections the test can cut, as a load balancer or a
 * gateway restart would, or keep cut, as a network partition would. TLS and the PostgreSQL wire
 * protocol pass through it untouched. Thread-safe.
 */
public final class SeveringProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final AtomicInteger accepted = new AtomicInteger();
    /** Guarded by itself. */
    private final List<Socket> open = new ArrayList<>();
    /** Guarded by {@link #open}: while true, connections are closed as soon as they are accepted. */
    private boolean partitioned;

    /** Relays connections to {@code targetPort} on loopback, from a free loopback port of its own. */
    public SeveringProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "severing-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Closes every connection relayed now; new ones are still accepted. */
    public void sever() {
        synchronized (open) {
            open.forEach(SeveringProxy::closeQuietly);
            open.clear();
        }
    }

    /** Severs every connection and closes each new one at once, until {@link #restore()}. */
    public void partition() {
        synchronized (open) {
            partitioned = true;
            sever();
        }
    }

    /** Relays new connections again after {@link #partition()}. */
    public void restore() {
        synchronized (open) {
            partitioned = false;
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket upstream;
            // under the lock, so that no connection slips past a partition
            synchronized (open) {
                if (partitioned) {
                    closeQuietly(client);
                    continue;
                }
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException e) {
                    closeQuietly(client); // the target is down: so is this connection
                    continue;
                }
                open.add(client);
                open.add(upstream);
            }
            accepted.incrementAndGet();
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away: the other goes too
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "severing-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sever();
    }
}
