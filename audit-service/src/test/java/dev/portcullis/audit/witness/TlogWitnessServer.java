package dev.portcullis.audit.witness;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.MerkleProofs;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A C2SP tlog-witness on loopback over HTTPS (a certificate from the test PKI), written from the
 * spec's {@code add-checkpoint} text: it checks the log's signature and the consistency proof from
 * the checkpoint it holds, answers 409 with its size when the old size is not the one it holds,
 * 422 when the proof does not verify, and 200 with a cosignature line otherwise. It can be
 * switched down (503) and can hold requests until released.
 */
public final class TlogWitnessServer implements AutoCloseable {
    public enum Mode { ACCEPTING, DOWN }

    private final HttpsServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final PublicKey logKey;
    private final CountDownLatch entered = new CountDownLatch(1);
    // guarded by this
    private TreeHead held;
    private final List<Long> accepted = new ArrayList<>();
    private final List<Integer> answers = new ArrayList<>();
    private Mode mode = Mode.ACCEPTING;
    private CountDownLatch release = new CountDownLatch(0);

    public TlogWitnessServer(TestPki pki, PublicKey logKey) {
        this.logKey = logKey;
        try {
            TestPki.Credential credential = pki.issue("witness", TestPki.id("witness"));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("witness", PemFiles.readPrivateKey(credential.keyFile()), new char[0],
                    new Certificate[] {PemFiles.readCertificate(credential.certFile())});
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, new char[0]);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(managers.getKeyManagers(), null, null);
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/witness/add-checkpoint", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/witness");
    }

    public synchronized List<Long> accepted() {
        return List.copyOf(accepted);
    }

    public synchronized List<Integer> answers() {
        return List.copyOf(answers);
    }

    public synchronized void mode(Mode mode) {
        this.mode = mode;
    }

    /** Holds every request from now until {@link #release()}. */
    public synchronized void hold() {
        release = new CountDownLatch(1);
    }

    public synchronized void release() {
        release.countDown();
    }

    /** Waits for a request to arrive. */
    public boolean awaitRequest() throws InterruptedException {
        return entered.await(10, TimeUnit.SECONDS);
    }

    private void handle(HttpExchange exchange) throws IOException {
        entered.countDown();
        CountDownLatch gate;
        synchronized (this) {
            gate = release;
        }
        try {
            gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
        int status;
        String answer;
        synchronized (this) {
            if (mode == Mode.DOWN) {
                status = 503;
                answer = "down\n";
            } else {
                String[] parts = body.split("\n\n", 2);
                List<String> lines = List.of(parts[0].split("\n"));
                long old = Long.parseLong(lines.get(0).substring("old ".length()));
                List<byte[]> proof = lines.subList(1, lines.size()).stream().map(Base64.getDecoder()::decode).toList();
                var head = CheckpointSigner.open(parts[1], logKey);
                long heldSize = held == null ? 0 : held.size();
                if (head.isEmpty()) {
                    status = 403;
                    answer = "unknown log or bad signature\n";
                } else if (old != heldSize) {
                    status = 409;
                    answer = heldSize + "\n";
                } else if (old > 0 && !MerkleProofs.verifyConsistency(old, head.get().size(), proof, held.root(), head.get().root())
                        || old == 0 && !proof.isEmpty()) {
                    status = 422;
                    answer = "consistency proof does not verify\n";
                } else {
                    held = head.get();
                    accepted.add(head.get().size());
                    status = 200;
                    answer = "— witness.test AAAAAA==\n";
                }
            }
            answers.add(status);
        }
        byte[] bytes = answer.getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status == 409 ? "text/x.tlog.size" : "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
