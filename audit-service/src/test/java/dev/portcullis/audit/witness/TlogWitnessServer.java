package dev.portcullis.audit.witness;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.MerkleProofs;
import dev.portcullis.audit.chain.SignedNote;
import dev.portcullis.audit.chain.TreeHead;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Signature;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A C2SP tlog-witness on loopback over HTTPS (a certificate from the test PKI), written from the
 * spec's {@code add-checkpoint} text: 404 for an origin it does not know, 403 when the log's
 * signature does not verify, 409 {@code text/x.tlog.size} with its size when the old size is not
 * the one it holds (or is, with another root), 422 when the proof does not verify, and 200 with a
 * C2SP tlog-cosignature ({@code cosignature/v1}, Ed25519, its own key {@link #verifierKey()})
 * otherwise. It can be switched down (503), made to cosign the wrong message, and can hold
 * requests until released.
 */
public final class TlogWitnessServer implements AutoCloseable {
    public enum Mode { ACCEPTING, DOWN, BAD_COSIGNATURE }

    static final String NAME = "witness.test/w1";

    private final HttpsServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final PublicKey logKey;
    private final KeyPair cosigner;
    private final Clock clock;
    private final CountDownLatch entered = new CountDownLatch(1);
    // guarded by this
    private TreeHead held;
    private final List<Long> accepted = new ArrayList<>();
    private final List<Integer> answers = new ArrayList<>();
    private Mode mode = Mode.ACCEPTING;
    private String lastBody = "";
    // a fixed answer instead of the witness's own, when set: status, content type, body
    private List<String> canned = List.of();
    private CountDownLatch release = new CountDownLatch(0);

    public TlogWitnessServer(TestPki pki, PublicKey logKey) {
        this(pki, logKey, Clock.systemUTC());
    }

    public TlogWitnessServer(TestPki pki, PublicKey logKey, Clock clock) {
        this.logKey = logKey;
        this.clock = clock;
        try {
            cosigner = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
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

    /** The witness's cosigning key in the C2SP verifier-key form, {@code NAME+KEYHASH+base64(0x04 || key)}. */
    public String verifierKey() {
        byte[] raw = rawKey(cosigner.getPublic());
        byte[] material = new byte[33];
        material[0] = 0x04;
        System.arraycopy(raw, 0, material, 1, 32);
        return NAME + "+" + HexFormat.of().formatHex(SignedNote.keyId(NAME, (byte) 0x04, raw)) + "+"
                + Base64.getEncoder().encodeToString(material);
    }

    public synchronized List<Long> accepted() {
        return List.copyOf(accepted);
    }

    public synchronized List<Integer> answers() {
        return List.copyOf(answers);
    }

    /** Answers every request from now with {@code status}, {@code contentType} and {@code body}, whatever it asks. */
    public synchronized void answer(int status, String contentType, String body) {
        canned = List.of(Integer.toString(status), contentType, body);
    }

    /** The body of the last request received. */
    public synchronized String lastBody() {
        return lastBody;
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
        String contentType;
        synchronized (this) {
            lastBody = body;
            contentType = "text/plain; charset=utf-8";
            if (!canned.isEmpty()) {
                status = Integer.parseInt(canned.get(0));
                contentType = canned.get(1);
                answer = canned.get(2);
            } else if (mode == Mode.DOWN) {
                status = 503;
                answer = "down\n";
            } else {
                String[] parts = body.split("\n\n", 2);
                List<String> lines = List.of(parts[0].split("\n"));
                long old = Long.parseLong(lines.get(0).substring("old ".length()));
                List<byte[]> proof = lines.subList(1, lines.size()).stream().map(Base64.getDecoder()::decode).toList();
                var head = CheckpointSigner.open(parts[1], logKey);
                long heldSize = held == null ? 0 : held.size();
                if (!parts[1].startsWith(CheckpointSigner.origin(logKey) + "\n")) {
                    status = 404;
                    answer = "unknown log\n";
                } else if (head.isEmpty()) {
                    status = 403;
                    answer = "no signature by a trusted key\n";
                } else if (old != heldSize || old == head.get().size() && old > 0 && !head.get().equals(held)) {
                    status = 409;
                    contentType = "text/x.tlog.size";
                    answer = heldSize + "\n";
                } else if (old > 0 && !MerkleProofs.verifyConsistency(old, head.get().size(), proof, held.root(), head.get().root())
                        || old == 0 && !proof.isEmpty()) {
                    status = 422;
                    answer = "consistency proof does not verify\n";
                } else {
                    held = head.get();
                    accepted.add(head.get().size());
                    status = 200;
                    answer = cosignature(head.get().body(), mode == Mode.BAD_COSIGNATURE) + "\n";
                }
            }
            answers.add(status);
        }
        byte[] bytes = answer.getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** A cosignature/v1 line over the checkpoint {@code body}: of another time than it claims when {@code bad}. */
    private String cosignature(String body, boolean bad) {
        long time = clock.instant().getEpochSecond();
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(cosigner.getPrivate());
            signature.update(("cosignature/v1\ntime " + (bad ? time + 1 : time) + "\n" + body).getBytes(UTF_8));
            ByteBuffer blob = ByteBuffer.allocate(4 + 8 + 64);
            blob.put(SignedNote.keyId(NAME, (byte) 0x04, rawKey(cosigner.getPublic()))).putLong(time).put(signature.sign());
            return "\u2014 " + NAME + " " + Base64.getEncoder().encodeToString(blob.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] rawKey(PublicKey key) {
        byte[] encoded = key.getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
