package dev.portcullis.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Timestamp;
import dev.portcullis.bench.Bench.Figure;
import dev.portcullis.executor.redact.LineStream;
import dev.portcullis.executor.redact.RedactedLine;
import dev.portcullis.executor.redact.Redactor;
import dev.portcullis.executor.redact.Secret;
import dev.portcullis.v1.LogLine;
import dev.portcullis.v1.LogStream;
import dev.portcullis.v1.WatchTaskResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Log redaction: lines/s through {@link Redactor#stream()} with {@value #SECRETS} registered
 * secrets (passwords, hex and base64 tokens, structured JSON secrets, a PEM key) over
 * {@value #LINES} lines of generated Terraform plan/apply output, next to the same stream without
 * redaction, in alternating rounds; the ratio is the median over the round pairs, each pair run
 * back to back so that both see the same machine (a shared machine's load swings between rounds).
 *
 * <p>The stream is what the executor does with a task's log, in-process: the task's output bytes
 * are decoded and split into lines, each line goes through the stream, and each released line
 * becomes the {@code WatchTaskResponse} that {@code WatchTask} would send, serialized with its
 * gRPC length prefix into a bounded buffer. {@code WatchTask} itself does not exist yet, so the
 * transport (HTTP/2, TLS, the network) is left out, which makes the plain stream cheaper and the
 * ratio lower than they will be. The plain stream does the same with a pass-through in place of
 * redaction that builds the same result list per line. The {@code bare_*} figures leave all of
 * that out: the redactor alone over ready-made strings next to building the result list alone.
 */
final class RedactionBench {
    private static final int SECRETS = 20;
    private static final int LINES = 200_000;
    /** One line in this many carries a secret in some form, to keep the masking path warm. */
    private static final int LEAK_EVERY = 1_000;
    private static final int WARMUP_ROUNDS = 3;
    private static final int ROUNDS = 16;
    private static final int OUTPUT_BUFFER = 1 << 16;
    private static final long START_SECONDS = 1_790_000_000L;

    Map<String, Figure> run() throws IOException {
        Random random = new Random(42);
        List<Secret> secrets = secrets(random);
        long buildStart = System.nanoTime();
        Redactor redactor = Redactor.of(secrets);
        double buildMillis = (System.nanoTime() - buildStart) / 1e6;
        List<String> lines = terraformOutput(random, secrets);
        byte[] input = String.join("\n", lines).concat("\n").getBytes(UTF_8);

        Supplier<Lines> plain = PassThrough::new;
        Supplier<Lines> redacted = () -> new Redacted(redactor.stream());
        Counts counts = new Counts();
        for (int round = 0; round < WARMUP_ROUNDS; round++) {
            stream(input, plain.get(), new Counts());
            stream(input, redacted.get(), new Counts());
            bare(lines, plain.get());
            bare(lines, redacted.get());
        }
        long plainNanos = 0;
        long redactedNanos = 0;
        long barePlainNanos = 0;
        long bareRedactedNanos = 0;
        double[] ratios = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            long plainRound = stream(input, plain.get(), new Counts());
            long redactedRound = stream(input, redacted.get(), round == 0 ? counts : new Counts());
            plainNanos += plainRound;
            redactedNanos += redactedRound;
            ratios[round] = (double) plainRound / redactedRound;
            barePlainNanos += bare(lines, plain.get());
            bareRedactedNanos += bare(lines, redacted.get());
        }
        Arrays.sort(ratios);
        double ratio = (ratios[(ROUNDS - 1) / 2] + ratios[ROUNDS / 2]) / 2;

        double total = (double) LINES * ROUNDS;
        double redactedPerSecond = total / (redactedNanos / 1e9);
        double plainPerSecond = total / (plainNanos / 1e9);
        double bareRedacted = total / (bareRedactedNanos / 1e9);
        double barePlain = total / (barePlainNanos / 1e9);
        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("redacted_lines_per_s", new Figure(Math.round(redactedPerSecond), "1/s",
                "log lines/s: bytes -> lines -> Redactor.stream() (" + SECRETS + " secrets) -> WatchTaskResponse bytes;"
                        + " in-process, no transport (WatchTask does not exist yet)"));
        figures.put("plain_lines_per_s", new Figure(Math.round(plainPerSecond), "1/s",
                "baseline: the same stream with a pass-through building the same result list"));
        figures.put("redaction_ratio", new Figure(round(ratio), "x",
                "redacted / plain throughput, median of " + ROUNDS + " back-to-back round pairs (target >= 0.5)"));
        figures.put("redacted_mib_per_s", new Figure(round(input.length * (double) ROUNDS / (1 << 20) / (redactedNanos / 1e9)),
                "MiB/s", "UTF-8 log text through the redacted stream"));
        figures.put("redaction_ns_per_line", new Figure(round(1e9 / redactedPerSecond - 1e9 / plainPerSecond), "ns",
                "what redaction adds per line"));
        figures.put("bare_redacted_lines_per_s", new Figure(Math.round(bareRedacted), "1/s",
                "LineStream.accept alone over ready-made strings"));
        figures.put("bare_plain_lines_per_s", new Figure(Math.round(barePlain), "1/s",
                "building the result list alone over the same strings"));
        figures.put("bare_ratio", new Figure(round(bareRedacted / barePlain), "x", "bare_redacted / bare_plain"));
        figures.put("held_line_share", new Figure(round(counts.held / (double) LINES), "",
                "share of lines held back until the next line (their end begins a secret form)"));
        figures.put("detections", new Figure(counts.detections, "", "occurrences masked in one pass (1 line in "
                + LEAK_EVERY + " carries a secret)"));
        figures.put("mean_line_chars", new Figure(round(lines.stream().mapToInt(String::length).average().orElse(0)), "",
                "characters per generated line"));
        figures.put("build_ms", new Figure(round(buildMillis), "ms", "Redactor.of over the " + SECRETS + " secrets, cold"));
        return figures;
    }

    /** Where the lines go: {@link LineStream}'s two methods. */
    private interface Lines {
        List<RedactedLine> accept(String line);

        List<RedactedLine> finish();
    }

    /** The baseline: every line released at once, unchanged, with the same result list. */
    private static final class PassThrough implements Lines {
        @Override
        public List<RedactedLine> accept(String line) {
            return List.of(new RedactedLine(line, List.of()));
        }

        @Override
        public List<RedactedLine> finish() {
            return List.of();
        }
    }

    private record Redacted(LineStream stream) implements Lines {
        @Override
        public List<RedactedLine> accept(String line) {
            return stream.accept(line);
        }

        @Override
        public List<RedactedLine> finish() {
            return stream.finish();
        }
    }

    /** What one pass of the redacted stream saw. */
    private static final class Counts {
        long held;
        long detections;
    }

    /** One pass over the task's output bytes through {@code stream}; returns its duration in nanoseconds. */
    private static long stream(byte[] input, Lines stream, Counts counts) throws IOException {
        long start = System.nanoTime();
        byte[] buffer = new byte[OUTPUT_BUFFER];
        CodedOutputStream out = CodedOutputStream.newInstance(buffer);
        long written = 0;
        long offset = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(input), UTF_8),
                OUTPUT_BUFFER)) {
            String line;
            while (true) {
                line = reader.readLine();
                List<RedactedLine> released = line == null ? stream.finish() : stream.accept(line);
                if (released.isEmpty() && line != null) {
                    counts.held++;
                }
                for (RedactedLine redacted : released) {
                    WatchTaskResponse response = WatchTaskResponse.newBuilder()
                            .setOffset(offset)
                            .setTime(Timestamp.newBuilder().setSeconds(START_SECONDS + offset / 1000)
                                    .setNanos((int) (offset % 1000) * 1_000_000))
                            .setLogLine(LogLine.newBuilder().setStream(LogStream.LOG_STREAM_STDOUT)
                                    .setText(redacted.text()).setRedacted(redacted.redacted()))
                            .build();
                    int size = response.getSerializedSize();
                    if (out.spaceLeft() < size + 5) {
                        written += OUTPUT_BUFFER - out.spaceLeft(); // a full buffer is sent and reused: bounded memory
                        out = CodedOutputStream.newInstance(buffer);
                    }
                    out.write((byte) 0); // gRPC frame: not compressed, then the length
                    out.writeFixed32NoTag(Integer.reverseBytes(size));
                    response.writeTo(out);
                    offset++;
                    counts.detections += redacted.detections().size();
                }
                if (line == null) {
                    break;
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        if (written + OUTPUT_BUFFER - out.spaceLeft() < input.length / 2 || offset != LINES) {
            throw new IllegalStateException("stream lost its output");
        }
        return elapsed;
    }

    /** One pass over ready-made strings through {@code stream} and nothing else; returns its duration in nanoseconds. */
    private static long bare(List<String> lines, Lines stream) {
        long start = System.nanoTime();
        long sink = 0;
        for (String line : lines) {
            for (RedactedLine out : stream.accept(line)) {
                sink += out.text().length();
            }
        }
        for (RedactedLine out : stream.finish()) {
            sink += out.text().length();
        }
        long elapsed = System.nanoTime() - start;
        if (sink == 0) {
            throw new IllegalStateException("nothing passed");
        }
        return elapsed;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** A task's secrets as Vault hands them out: passwords, tokens, keys, JSON documents, a PEM key. */
    static List<Secret> secrets(Random random) {
        List<Secret> secrets = new ArrayList<>();
        String password = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%&*+-=?@^_";
        for (int i = 0; i < 10; i++) {
            secrets.add(new Secret("kv:secret/data/prod/app#password" + i, text(random, password, 16 + random.nextInt(17))));
        }
        for (int i = 0; i < 4; i++) {
            byte[] token = new byte[20];
            random.nextBytes(token);
            secrets.add(new Secret("kv:secret/data/prod/app#token" + i, HexFormat.of().formatHex(token)));
        }
        for (int i = 0; i < 2; i++) {
            secrets.add(new Secret("aws:aws/creds/deploy-prod#secret_key" + i,
                    text(random, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)));
        }
        for (int i = 0; i < 2; i++) {
            secrets.add(new Secret("kv:secret/data/prod/registry" + i, "{\"username\":\"deploy-" + i + "\",\"password\":\""
                    + text(random, password, 24) + "\",\"email\":\"ci@acme.example\"}"));
        }
        secrets.add(new Secret("kv:secret/data/prod/app#vault_token", "hvs." + text(random, password.substring(0, 62), 24)));
        byte[] key = new byte[1190];
        random.nextBytes(key);
        secrets.add(new Secret("kv:secret/data/prod/tls#key", "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(key) + "\n-----END PRIVATE KEY-----\n"));
        if (secrets.size() != SECRETS) {
            throw new IllegalStateException("expected " + SECRETS + " secrets");
        }
        return secrets;
    }

    private static String text(Random random, String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** {@value #LINES} lines shaped like a Terraform plan and apply, with a leaked secret now and then. */
    static List<String> terraformOutput(Random random, List<Secret> secrets) {
        String[] types = {"aws_ecs_service", "aws_iam_role_policy", "aws_s3_object", "aws_lambda_function",
            "aws_security_group_rule", "aws_route53_record", "aws_cloudwatch_log_group", "aws_db_instance"};
        List<String> lines = new ArrayList<>(LINES);
        int resource = 0;
        while (lines.size() < LINES) {
            String type = types[random.nextInt(types.length)];
            String name = "module.service_" + (resource % 37) + "." + type + ".r" + resource;
            String id = type.substring(4, 7) + "-0" + hex(random, 16);
            switch (random.nextInt(4)) {
                case 0 -> {
                    lines.add("  # " + name + " will be updated in-place");
                    lines.add("  ~ resource \"" + type + "\" \"r" + resource + "\" {");
                    lines.add("        id                     = \"" + id + "\"");
                    lines.add("      ~ tags                   = {");
                    lines.add("          ~ \"Revision\"    = \"" + random.nextInt(500) + "\" -> \"" + random.nextInt(500) + "\"");
                    lines.add("            \"Environment\" = \"prod\"");
                    lines.add("        }");
                    lines.add("      ~ source_code_hash       = \"" + base64(random, 32) + "\" -> (known after apply)");
                    lines.add("        arn                    = \"arn:aws:" + type.substring(4, 7) + ":eu-central-1:123456789012:"
                            + type + "/acme-prod/r" + resource + "\"");
                    lines.add("        # (12 unchanged attributes hidden)");
                    lines.add("    }");
                    lines.add("");
                }
                case 1 -> {
                    lines.add(name + ": Modifying... [id=" + id + "]");
                    for (int s = 10; s <= 10 * (1 + random.nextInt(4)); s += 10) {
                        lines.add(name + ": Still modifying... [id=" + id + ", " + s + "s elapsed]");
                    }
                    lines.add(name + ": Modifications complete after " + random.nextInt(90) + "s [id=" + id + "]");
                }
                case 2 -> {
                    lines.add(name + ": Refreshing state... [id=" + id + "]");
                    lines.add("data.aws_iam_policy_document.r" + resource + ": Read complete after 0s [id=" + random.nextInt(1 << 30) + "]");
                }
                default -> {
                    lines.add("  + resource \"" + type + "\" \"r" + resource + "\" {");
                    lines.add("      + etag                   = \"" + hex(random, 16) + "\"");
                    lines.add("      + image                  = \"123456789012.dkr.ecr.eu-central-1.amazonaws.com/app@sha256:"
                            + hex(random, 32) + "\"");
                    lines.add("      + password               = (sensitive value)");
                    lines.add("      + policy                 = jsonencode({ Statement = [{ Action = [\"s3:GetObject\"], Effect = \"Allow\" }] })");
                    lines.add("      + private_ip             = \"10.40." + random.nextInt(256) + "." + random.nextInt(256) + "\"");
                    lines.add("    }");
                }
            }
            resource++;
        }
        List<String> trimmed = new ArrayList<>(lines.subList(0, LINES));
        for (int i = LEAK_EVERY / 2; i < trimmed.size(); i += LEAK_EVERY) {
            trimmed.set(i, leak(random, secrets.get(random.nextInt(secrets.size() - 1)).reveal()));
        }
        return trimmed;
    }

    private static String leak(Random random, String value) {
        return switch (random.nextInt(4)) {
            case 0 -> "  + value = \"" + value + "\"";
            case 1 -> "Authorization: Basic " + Base64.getEncoder().encodeToString(("deploy:" + value).getBytes(UTF_8));
            case 2 -> "  url = \"https://deploy:" + URLEncoder.encode(value, UTF_8) + "@git.acme.example/infra.git\"";
            default -> "{\"msg\":\"connect\",\"dsn\":\"postgres://app:" + value.replace("\"", "\\\"") + "@db:5432/app\"}";
        };
    }

    private static String hex(Random random, int bytes) {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        return HexFormat.of().formatHex(data);
    }

    private static String base64(Random random, int bytes) {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        return Base64.getEncoder().encodeToString(data);
    }
}
