package dev.portcullis.audit.witness;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.chain.SignedCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Speaks the {@code add-checkpoint} call of the C2SP {@code tlog-witness} protocol over HTTPS:
 * POSTs {@code old SIZE}, the consistency proof (one base64 hash a line), an empty line and the
 * signed checkpoint note to {@code URL/add-checkpoint}. 200 is a cosignature (its body kept as
 * given), 409 a conflict whose {@code text/x.tlog.size} body is the size the witness holds, 422 a
 * proof that does not verify against the checkpoint the witness holds. Anything else, a redirect
 * or no answer within the timeout is a failure. The URL may carry a token in its path, so logs,
 * errors and {@link #toString()} name only the witness's {@link #name()}. Thread-safe.
 */
public final class TlogWitnessClient implements CheckpointWitness {
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final String name;
    private final URI addCheckpoint;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * @param name the witness's stable name, 1-128 characters
     * @param url the witness's https:// base URL; {@code /add-checkpoint} is appended
     * @param trust what to trust for the witness's certificate
     * @param timeout how long one call may take, connecting included
     */
    public TlogWitnessClient(String name, URI url, SSLContext trust, Duration timeout) {
        this.name = requireNonNull(name, "name is null");
        if (name.isEmpty() || name.length() > 128) {
            throw new IllegalArgumentException("name must be 1-128 characters");
        }
        String base = requireNonNull(url, "url is null").toString();
        this.addCheckpoint = URI.create(base.endsWith("/") ? base + "add-checkpoint" : base + "/add-checkpoint");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.client = HttpClient.newBuilder().sslContext(requireNonNull(trust, "trust is null")).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return name;
    }

    /** The request body of {@code add-checkpoint}. */
    static String body(long oldSize, List<byte[]> proof, SignedCheckpoint checkpoint) {
        StringBuilder body = new StringBuilder("old ").append(oldSize).append('\n');
        proof.forEach(hash -> body.append(Base64.getEncoder().encodeToString(hash)).append('\n'));
        return body.append('\n').append(checkpoint.note()).toString();
    }

    @Override
    public WitnessAnswer submit(long oldSize, List<byte[]> proof, SignedCheckpoint checkpoint) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(addCheckpoint).timeout(timeout)
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body(oldSize, proof, checkpoint), StandardCharsets.UTF_8)).build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            // never the client's message: it may quote the URL, token and all
            throw new IOException("witness " + name + " cannot be reached: " + e.getClass().getSimpleName());
        }
        String answer;
        try (InputStream in = response.body()) {
            answer = new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
        }
        return switch (response.statusCode()) {
            case 200 -> new WitnessAnswer.Cosigned(answer);
            case 409 -> new WitnessAnswer.Conflict(size(answer));
            case 422 -> new WitnessAnswer.ProofRejected();
            default -> throw new IOException("witness " + name + " answered " + response.statusCode());
        };
    }

    private long size(String answer) throws IOException {
        String line = answer.strip();
        if (!line.matches("0|[1-9][0-9]{0,18}")) {
            throw new IOException("witness " + name + " answered 409 without a tree size");
        }
        return Long.parseLong(line);
    }

    @Override
    public String toString() {
        return "TlogWitnessClient[" + name + "]";
    }
}
