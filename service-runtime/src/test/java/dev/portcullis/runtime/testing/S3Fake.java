package dev.portcullis.runtime.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * S3 on loopback, as far as the executor's artifact store and the audit service's checkpoint
 * archive use it: path-style {@code PUT}, {@code GET}, {@code HEAD} and {@code DELETE /BUCKET/KEY}
 * and ListObjectsV2 ({@code GET /BUCKET?list-type=2}, {@code prefix}, {@code start-after}, at most
 * {@code max-keys} (1000) keys a page, continuation tokens) of the REST API, with SigV4-signed requests (service {@code s3}),
 * {@code x-amz-checksum-sha256} checked on upload (400 {@code BadDigest}), a version id per upload
 * (versioning enabled: a delete without the version id leaves a delete marker), user metadata
 * ({@code x-amz-meta-*}), and 404 {@code NoSuchKey} / {@code NoSuchBucket} errors in S3's XML.
 * Presigned requests (SigV4 in the query string) are accepted while unexpired, when every header
 * they signed is sent; {@code If-None-Match: *} on a {@code PUT} of an existing key is 412
 * {@code PreconditionFailed}.
 * A test may replace an object's bytes behind the store's back, or make the next calls fail with
 * 503 {@code SlowDown}. Thread-safe: {@link #lock} guards all state.
 */
public final class S3Fake implements AutoCloseable {
    public static final String REGION = "us-east-1";
    private static final Pattern SIGV4 = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=[^/]+/[0-9]{8}/" + REGION + "/s3/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}");

    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** One stored object. */
    public record StoredObject(byte[] bytes, Map<String, String> metadata, String checksumSha256, String versionId) {
        StoredObject(byte[] bytes, Map<String, String> metadata, String checksumSha256) {
            this(bytes, metadata, checksumSha256, java.util.UUID.randomUUID().toString());
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final String bucket;
    private final Object lock = new Object();
    private final Map<String, StoredObject> objects = new HashMap<>(); // guarded by lock
    private final Map<String, List<StoredObject>> noncurrent = new HashMap<>(); // guarded by lock: behind delete markers
    private final List<String> requests = new ArrayList<>(); // guarded by lock: "METHOD /path"
    private int unavailable; // guarded by lock

    public S3Fake(String bucket) throws IOException {
        this.bucket = bucket;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    public StoredObject object(String key) {
        synchronized (lock) {
            return objects.get(key);
        }
    }

    /** Versions of {@code key} a delete without a version id hid behind a delete marker (the bucket is versioned). */
    public List<StoredObject> noncurrentVersions(String key) {
        synchronized (lock) {
            return List.copyOf(noncurrent.getOrDefault(key, List.of()));
        }
    }

    /** Replaces an object's bytes, keeping its metadata: what a tampering writer would do. */
    public void tamper(String key, byte[] bytes) {
        synchronized (lock) {
            objects.put(key, new StoredObject(bytes.clone(), objects.get(key).metadata(), objects.get(key).checksumSha256()));
        }
    }

    /** Answers the next {@code calls} requests with 503 {@code SlowDown}. */
    public void failNext(int calls) {
        synchronized (lock) {
            unavailable = calls;
        }
    }

    public List<String> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (lock) {
                requests.add(method + " " + path);
                if (unavailable > 0) {
                    unavailable--;
                    error(exchange, method, 503, "SlowDown", "Please reduce your request rate.");
                    return;
                }
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            boolean presigned = exchange.getRequestURI().getRawQuery() != null
                    && exchange.getRequestURI().getRawQuery().contains("X-Amz-Signature=");
            if (presigned ? !presignedValid(exchange) : authorization == null || !SIGV4.matcher(authorization).matches()) {
                error(exchange, method, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match.");
                return;
            }
            String prefix = "/" + bucket + "/";
            if (method.equals("GET") && (path.equals("/" + bucket) || path.equals(prefix))
                    && "2".equals(query(exchange).get("list-type"))) {
                list(exchange, query(exchange));
                return;
            }
            if (!path.startsWith(prefix)) {
                error(exchange, method, 404, "NoSuchBucket", "The specified bucket does not exist");
                return;
            }
            String key = java.net.URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
            switch (method) {
                case "PUT" -> put(exchange, key, body);
                case "GET", "HEAD" -> get(exchange, key, method.equals("HEAD"));
                case "DELETE" -> delete(exchange, key, query(exchange).get("versionId"));
                default -> error(exchange, method, 405, "MethodNotAllowed", "The specified method is not allowed");
            }
        }
    }

    /** Query-string SigV4: its shape, that it has not expired, and that every header it signed is sent. */
    private static boolean presignedValid(HttpExchange exchange) {
        Map<String, String> query = new HashMap<>();
        for (String parameter : exchange.getRequestURI().getRawQuery().split("&")) {
            String[] pair = parameter.split("=", 2);
            query.put(pair[0], pair.length == 2 ? java.net.URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : "");
        }
        if (!"AWS4-HMAC-SHA256".equals(query.get("X-Amz-Algorithm"))
                || !query.getOrDefault("X-Amz-Credential", "").matches("[^/]+/[0-9]{8}/" + REGION + "/s3/aws4_request")
                || !query.getOrDefault("X-Amz-Signature", "").matches("[0-9a-f]{64}")
                || !query.getOrDefault("X-Amz-Date", "").matches("[0-9]{8}T[0-9]{6}Z")
                || !query.getOrDefault("X-Amz-Expires", "").matches("[0-9]{1,6}")) {
            return false;
        }
        java.time.Instant signed = java.time.LocalDateTime.parse(query.get("X-Amz-Date"),
                java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")).toInstant(java.time.ZoneOffset.UTC);
        if (java.time.Instant.now().isAfter(signed.plusSeconds(Long.parseLong(query.get("X-Amz-Expires"))))) {
            return false;
        }
        for (String header : query.getOrDefault("X-Amz-SignedHeaders", "").split(";")) {
            if (exchange.getRequestHeaders().getFirst(header) == null) {
                return false;
            }
        }
        return true;
    }

    private void put(HttpExchange exchange, String key, byte[] body) throws IOException {
        boolean onlyIfAbsent = "*".equals(exchange.getRequestHeaders().getFirst("If-None-Match"));
        String contentSha256 = exchange.getRequestHeaders().getFirst("x-amz-content-sha256");
        Map<String, String> trailers = new HashMap<>();
        if (contentSha256 != null && contentSha256.startsWith("STREAMING-")) {
            body = decodeAwsChunked(body, trailers);
            String decodedLength = exchange.getRequestHeaders().getFirst("x-amz-decoded-content-length");
            if (decodedLength == null || Long.parseLong(decodedLength) != body.length) {
                error(exchange, "PUT", 400, "IncompleteBody", "The request body terminated unexpectedly");
                return;
            }
        }
        String checksum = exchange.getRequestHeaders().getFirst("x-amz-checksum-sha256");
        if (checksum == null) {
            checksum = trailers.get("x-amz-checksum-sha256");
        }
        if (checksum != null && !checksum.equals(Base64.getEncoder().encodeToString(sha256(body)))) {
            error(exchange, "PUT", 400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.");
            return;
        }
        Map<String, String> metadata = new HashMap<>();
        String given = checksum;
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-meta-")) {
                metadata.put(lower.substring("x-amz-meta-".length()), values.get(0));
            }
        });
        synchronized (lock) {
            if (onlyIfAbsent && objects.containsKey(key)) {
                error(exchange, "PUT", 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
                return;
            }
            objects.put(key, new StoredObject(body, Map.copyOf(metadata), given == null ? "" : given));
        }
        exchange.getResponseHeaders().add("ETag", "\"" + java.util.HexFormat.of().formatHex(md5(body)) + "\"");
        exchange.sendResponseHeaders(200, -1);
    }

    private void get(HttpExchange exchange, String key, boolean head) throws IOException {
        StoredObject object;
        synchronized (lock) {
            object = objects.get(key);
        }
        if (object == null) {
            error(exchange, head ? "HEAD" : "GET", 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        exchange.getResponseHeaders().add("ETag", "\"" + java.util.HexFormat.of().formatHex(md5(object.bytes())) + "\"");
        exchange.getResponseHeaders().add("Last-Modified", "Mon, 04 Mar 2024 10:00:00 GMT");
        exchange.getResponseHeaders().add("x-amz-version-id", object.versionId());
        object.metadata().forEach((name, value) -> exchange.getResponseHeaders().add("x-amz-meta-" + name, value));
        if (head) {
            exchange.getResponseHeaders().add("Content-Length", String.valueOf(object.bytes().length));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, object.bytes().length == 0 ? -1 : object.bytes().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(object.bytes());
        }
    }

    /**
     * S3's DeleteObject in a versioned bucket: 204 whether or not the key existed; with the current
     * version's id the version is gone, without one it is kept behind a delete marker.
     */
    private void delete(HttpExchange exchange, String key, String versionId) throws IOException {
        synchronized (lock) {
            StoredObject current = objects.get(key);
            if (current != null && (versionId == null || versionId.equals(current.versionId()))) {
                objects.remove(key);
                if (versionId == null) {
                    noncurrent.computeIfAbsent(key, k -> new ArrayList<>()).add(current);
                }
            }
        }
        exchange.sendResponseHeaders(204, -1);
    }

    /** ListObjectsV2: keys in UTF-8 binary order after {@code start-after} or the continuation token. */
    private void list(HttpExchange exchange, Map<String, String> query) throws IOException {
        String prefix = query.getOrDefault("prefix", "");
        String after = query.getOrDefault("continuation-token", query.getOrDefault("start-after", ""));
        int max = Integer.parseInt(query.getOrDefault("max-keys", "1000"));
        List<String> keys;
        synchronized (lock) {
            keys = objects.keySet().stream().filter(key -> key.startsWith(prefix) && key.compareTo(after) > 0).sorted().toList();
        }
        boolean truncated = keys.size() > max;
        List<String> page = truncated ? keys.subList(0, max) : keys;
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>").append(bucket)
                .append("</Name><Prefix>").append(prefix).append("</Prefix><KeyCount>").append(page.size())
                .append("</KeyCount><MaxKeys>").append(max).append("</MaxKeys><IsTruncated>").append(truncated)
                .append("</IsTruncated>");
        if (truncated) {
            xml.append("<NextContinuationToken>").append(page.get(page.size() - 1)).append("</NextContinuationToken>");
        }
        for (String key : page) {
            xml.append("<Contents><Key>").append(key).append("</Key><Size>").append(object(key).bytes().length)
                    .append("</Size><LastModified>2024-03-04T10:00:00.000Z</LastModified><StorageClass>STANDARD</StorageClass></Contents>");
        }
        byte[] bytes = xml.append("</ListBucketResult>").toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String parameter : raw.split("&")) {
                String[] pair = parameter.split("=", 2);
                query.put(pair[0], pair.length == 2 ? java.net.URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : "");
            }
        }
        return query;
    }

    /** The payload of an {@code aws-chunked} body: {@code HEX-SIZE[;chunk-signature=…]CRLF DATA CRLF}…, then trailers. */
    private static byte[] decodeAwsChunked(byte[] body, Map<String, String> trailers) {
        java.io.ByteArrayOutputStream payload = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = indexOfCrlf(body, at);
            String header = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(header.split(";", 2)[0].trim(), 16);
            at = lineEnd + 2;
            if (size == 0) {
                break;
            }
            payload.write(body, at, size);
            at += size + 2;
        }
        while (at < body.length) {
            int lineEnd = indexOfCrlf(body, at);
            String line = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII);
            at = lineEnd + 2;
            int colon = line.indexOf(':');
            if (colon > 0) {
                trailers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return payload.toByteArray();
    }

    private static int indexOfCrlf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return bytes.length;
    }

    private static void error(HttpExchange exchange, String method, int status, String code, String message) throws IOException {
        if (method.equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.sendResponseHeaders(status, xml.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(xml);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        return digest("SHA-256", bytes);
    }

    private static byte[] md5(byte[] bytes) {
        return digest("MD5", bytes);
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
