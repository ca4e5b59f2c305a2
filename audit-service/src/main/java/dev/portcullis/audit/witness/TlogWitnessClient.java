package dev.portcullis.audit.witness;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.chain.SignedCheckpoint;
import dev.portcullis.audit.chain.SignedNote;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Speaks the {@code add-checkpoint} call of the C2SP {@code tlog-witness} protocol over HTTPS:
 * POSTs {@code old SIZE}, the consistency proof (one base64 hash a line), an empty line and the
 * signed checkpoint note to {@code URL/add-checkpoint}, and reads the answer as the spec words it:
 * 200 is one or more note signature lines (cosignatures); 409 {@code Conflict} with a
 * {@code text/x.tlog.size} body is the size the witness holds (the next offer starts from it);
 * 422 is a consistency proof that does not verify against the checkpoint the witness holds.
 * 404 (the witness does not know the log's origin), 403 (it trusts no key the checkpoint is
 * signed with), 400, any other status, a malformed answer, a redirect or no answer within the
 * timeout is a failure. With the witness's verifier keys configured, a 200 must carry a valid
 * {@code cosignature/v1} over the checkpoint by each of them; lines by other keys are ignored,
 * as the spec requires. The URL may carry a token in its path, so logs, errors and
 * {@link #toString()} name only the witness's {@link #name()}. Thread-safe.
 */
public final class TlogWitnessClient implements CheckpointWitness {
    private static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final Pattern TREE_SIZE = Pattern.compile("(0|[1-9][0-9]{0,18})\n");

    private final String name;
    private final URI addCheckpoint;
    private final Duration timeout;
    private final List<CosignerKey> cosigners;
    private final HttpClient client;

    /**
     * A witness whose cosignatures are not checked (no verifier key configured).
     *
     * @param name the witness's stable name, 1-128 characters
     * @param url the witness's https:// base URL; {@code /add-checkpoint} is appended
     * @param trust what to trust for the witness's certificate
     * @param timeout how long one call may take, connecting included
     */
    public TlogWitnessClient(String name, URI url, SSLContext trust, Duration timeout) {
        this(name, url, trust, timeout, List.of());
    }

    /**
     * As above, checking that every answer carries a valid cosignature by each of {@code cosigners}.
     */
    public TlogWitnessClient(String name, URI url, SSLContext trust, Duration timeout, List<CosignerKey> cosigners) {
        this.name = requireNonNull(name, "name is null");
        if (name.isEmpty() || name.length() > 128) {
            throw new IllegalArgumentException("name must be 1-128 characters");
        }
        String base = requireNonNull(url, "url is null").toString();
        this.addCheckpoint = URI.create(base.endsWith("/") ? base + "add-checkpoint" : base + "/add-checkpoint");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.cosigners = List.copyOf(cosigners);
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
            case 200 -> new WitnessAnswer.Cosigned(cosignatures(answer, checkpoint));
            case 409 -> new WitnessAnswer.Conflict(size(answer, response.headers().firstValue("Content-Type").orElse("")));
            case 422 -> new WitnessAnswer.ProofRejected();
            case 404 -> throw new IOException("witness " + name + " does not know the log's origin (404): configure it with"
                    + " the origin and public key");
            case 403 -> throw new IOException("witness " + name + " trusts no key the checkpoint is signed with (403):"
                    + " configure it with the log's public key");
            case 400 -> throw new IOException("witness " + name + " refused the request as malformed (400)");
            default -> throw new IOException("witness " + name + " answered " + response.statusCode());
        };
    }

    /**
     * The cosignatures by the configured keys in a 200 answer: one or more note signature lines,
     * each {@code — NAME BASE64} ending in a newline. Lines by other keys are ignored; a line by a
     * configured key that does not verify, or a configured key with no line, fails the answer.
     */
    List<Cosignature> cosignatures(String answer, SignedCheckpoint checkpoint) throws IOException {
        if (answer.isEmpty() || !answer.endsWith("\n")
                || !Arrays.stream(answer.split("\n")).allMatch(line -> line.startsWith("\u2014 "))) {
            throw new IOException("witness " + name + " answered 200 without note signature lines");
        }
        List<SignedNote.Line> lines;
        try {
            // the answer's lines appended to the checkpoint make the cosigned note
            lines = SignedNote.parse(checkpoint.note() + answer).signatures();
        } catch (IllegalArgumentException e) {
            throw new IOException("witness " + name + " answered 200 with lines that are not note signature lines");
        }
        String text = SignedNote.parse(checkpoint.note()).text();
        List<Cosignature> verified = new ArrayList<>();
        for (CosignerKey key : cosigners) {
            int before = verified.size();
            for (SignedNote.Line line : lines.subList(lines.size() - answerLines(answer), lines.size())) {
                if (!key.signed(line)) {
                    continue;
                }
                Optional<Instant> time = key.verify(text, line);
                if (time.isEmpty()) {
                    throw new IOException("witness " + name + " answered with a cosignature by " + key.name() + " that does not verify");
                }
                verified.add(new Cosignature(key.name(), time.get(), formatted(line)));
            }
            if (verified.size() == before) {
                throw new IOException("witness " + name + " answered without a cosignature by " + key.name());
            }
        }
        return verified;
    }

    private static int answerLines(String answer) {
        return (int) answer.chars().filter(c -> c == '\n').count();
    }

    private static String formatted(SignedNote.Line line) {
        byte[] blob = new byte[4 + line.signature().length];
        System.arraycopy(line.keyId(), 0, blob, 0, 4);
        System.arraycopy(line.signature(), 0, blob, 4, line.signature().length);
        return "\u2014 " + line.keyName() + " " + Base64.getEncoder().encodeToString(blob);
    }

    private long size(String answer, String contentType) throws IOException {
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!type.equals("text/x.tlog.size") || !TREE_SIZE.matcher(answer).matches()) {
            throw new IOException("witness " + name + " answered 409 without a text/x.tlog.size tree size");
        }
        return Long.parseLong(answer.strip());
    }

    @Override
    public String toString() {
        return "TlogWitnessClient[" + name + "]";
    }
}
