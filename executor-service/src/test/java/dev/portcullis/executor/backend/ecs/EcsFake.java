package dev.portcullis.executor.backend.ecs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ECS and CloudWatch Logs on loopback, as far as the ECS backend uses them: AWS JSON 1.1
 * ({@code POST /}, {@code X-Amz-Target}, {@code Content-Type: application/x-amz-json-1.1}) for
 * {@code RunTask}, {@code DescribeTasks}, {@code StopTask}, {@code ListTasks} and
 * {@code GetLogEvents}, with the response shapes of the services' models. Requests must be SigV4
 * signed for region us-east-1 and the right service. Thread-safe: {@link #lock} guards all state.
 *
 * <p>Tasks move on with each {@code DescribeTasks} that names them (one status per look), along a
 * {@link Script} chosen before the launch, or when the test calls {@link #finish} or the runner
 * {@code StopTask}. The fake injects throttling ({@code 400 ThrottlingException "Rate exceeded"}),
 * lost answers (the call takes effect, the answer is a 500), launches without a task, and honours
 * {@code clientToken}: a repeated token returns the first task and launches nothing.
 */
final class EcsFake implements AutoCloseable {
    static final String ACCOUNT = "123456789012";
    static final String REGION = "us-east-1";
    private static final String ECS_PREFIX = "AmazonEC2ContainerServiceV20141113.";
    private static final String LOGS_PREFIX = "Logs_20140328.";
    private static final String JSON_1_1 = "application/x-amz-json-1.1";
    private static final Pattern SIGV4 = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/[0-9]{8}/([a-z0-9-]+)/([a-z]+)/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}");

    static {
        // the JDK's server writes headers and body apart; with Nagle on, each answer waits for a delayed ACK (~40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** How a launched task behaves. */
    enum Ending { EXITS, RUNS_UNTIL_STOPPED, CANNOT_PULL }

    /** The life of the next launched task. */
    record Script(Ending ending, int exitCode, int runningLooks, List<String> lines) {
        /** Starts, prints {@code lines}, stays RUNNING for two looks, exits with {@code exitCode}. */
        static Script exits(int exitCode, List<String> lines) {
            return new Script(Ending.EXITS, exitCode, 2, List.copyOf(lines));
        }

        /** Starts, prints {@code lines}, runs until {@code StopTask} or {@link EcsFake#finish}. */
        static Script runsUntilStopped(List<String> lines) {
            return new Script(Ending.RUNS_UNTIL_STOPPED, 0, 0, List.copyOf(lines));
        }

        /** Never starts: the image cannot be pulled. */
        static Script cannotPull() {
            return new Script(Ending.CANNOT_PULL, 0, 0, List.of());
        }
    }

    /** One request the fake answered (or refused), body parsed. */
    record Request(String operation, Map<String, Object> body, String contentType, String signingRegion,
            String signingService) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final String cluster;
    private final String logGroup;
    private final String logStreamPrefix;
    private final Clock clock;

    private final Object lock = new Object();
    private final Map<String, FakeTask> tasks = new LinkedHashMap<>(); // by ARN, launch order
    private final Map<String, String> taskByClientToken = new HashMap<>();
    private final Map<String, List<String>> streams = new HashMap<>(); // stream name -> events
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, Integer> throttles = new HashMap<>();
    private final Map<String, Integer> lostAnswers = new HashMap<>();
    private final Deque<Script> scripts = new ArrayDeque<>();
    private String launchFailure; // the reason the next RunTask launches nothing with; null: launches
    private String deniedOperation; // answered 400 AccessDeniedException; null: none
    private int logPageSize = 10_000;
    private int listPageSize = 100;

    private EcsFake(String cluster, String logGroup, String logStreamPrefix, Clock clock) throws IOException {
        this.cluster = cluster;
        this.logGroup = logGroup;
        this.logStreamPrefix = logStreamPrefix;
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static EcsFake start(String cluster, String logGroup, String logStreamPrefix) {
        try {
            return new EcsFake(cluster, logGroup, logStreamPrefix, Clock.systemUTC());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    URI endpoint() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- what the test arranges

    /** The next launched task follows {@code script}; without one, a task exits 0 silently. */
    void nextTask(Script script) {
        synchronized (lock) {
            scripts.add(script);
        }
    }

    /** The next {@code times} calls of {@code operation} are refused as throttled. */
    void throttle(String operation, int times) {
        synchronized (lock) {
            throttles.merge(operation, times, Integer::sum);
        }
    }

    /** The next call of {@code operation} takes effect, but its answer is a 500. */
    void loseNextAnswer(String operation) {
        synchronized (lock) {
            lostAnswers.merge(operation, 1, Integer::sum);
        }
    }

    /** The next RunTask launches nothing and reports {@code reason} as its failure. */
    void failNextLaunch(String reason) {
        synchronized (lock) {
            launchFailure = reason;
        }
    }

    /** Every call of {@code operation} is refused with AccessDeniedException. */
    void deny(String operation) {
        synchronized (lock) {
            deniedOperation = operation;
        }
    }

    void logPageSize(int events) {
        synchronized (lock) {
            logPageSize = events;
        }
    }

    void listPageSize(int arns) {
        synchronized (lock) {
            listPageSize = arns;
        }
    }

    /** More lines in the task's log stream. */
    void appendLogs(String taskArn, List<String> lines) {
        synchronized (lock) {
            streams.computeIfAbsent(task(taskArn).streamName(), s -> new ArrayList<>()).addAll(lines);
        }
    }

    /** The task's container exits with {@code exitCode}; the task reaches STOPPED over the next two looks. */
    void finish(String taskArn, int exitCode) {
        synchronized (lock) {
            FakeTask task = task(taskArn);
            task.exit(exitCode, "Essential container in task exited", "EssentialContainerExited", now());
        }
    }

    // ---- what the test inspects

    List<Request> requests(String operation) {
        synchronized (lock) {
            return requests.stream().filter(r -> r.operation().equals(operation)).toList();
        }
    }

    int calls(String operation) {
        return requests(operation).size();
    }

    int launchedTasks() {
        synchronized (lock) {
            return tasks.size();
        }
    }

    Optional<String> taskOf(String runId) {
        synchronized (lock) {
            return tasks.values().stream().filter(t -> runId.equals(t.tags.get("run-id"))).map(t -> t.arn).findFirst();
        }
    }

    String lastStatus(String taskArn) {
        synchronized (lock) {
            return task(taskArn).lastStatus;
        }
    }

    // ---- the protocol

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Target")).orElse("");
            String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Matcher signature = SIGV4.matcher(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse(""));
            boolean signed = signature.matches();
            String service = target.startsWith(ECS_PREFIX) ? "ecs" : target.startsWith(LOGS_PREFIX) ? "logs" : "";
            String operation = target.substring(target.indexOf('.') + 1);
            Map<String, Object> request = body.isEmpty() ? Map.of() : Json.parseObject(body);
            Answer answer;
            synchronized (lock) {
                requests.add(new Request(operation, request, contentType, signed ? signature.group(2) : "",
                        signed ? signature.group(3) : ""));
                if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals("/")
                        || !contentType.startsWith(JSON_1_1) || service.isEmpty()) {
                    answer = Answer.error(400, "SerializationException", "Start of structure or map found where not expected.");
                } else if (!signed || !signature.group(2).equals(REGION) || !signature.group(3).equals(service)) {
                    answer = Answer.error(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
                } else if (take(throttles, operation)) {
                    answer = Answer.error(400, "ThrottlingException", "Rate exceeded");
                } else if (operation.equals(deniedOperation)) {
                    answer = Answer.error(400, "AccessDeniedException", "User is not authorized to perform: ecs:" + operation);
                } else {
                    answer = service.equals("ecs") ? ecs(operation, request) : logs(operation, request);
                    if (answer.status() == 200 && take(lostAnswers, operation)) {
                        answer = Answer.error(500, "ServerException", "Service encountered an internal error.");
                    }
                }
            }
            byte[] out = Json.write(answer.body()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", JSON_1_1);
            exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(answer.status(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    // caller holds lock
    private Answer ecs(String operation, Map<String, Object> request) {
        if (!cluster.equals(request.get("cluster")) && !clusterArn().equals(request.get("cluster"))) {
            return Answer.error(400, "ClusterNotFoundException", "Cluster not found.");
        }
        return switch (operation) {
            case "RunTask" -> runTask(request);
            case "DescribeTasks" -> describeTasks(request);
            case "StopTask" -> stopTask(request);
            case "ListTasks" -> listTasks(request);
            default -> Answer.error(400, "InvalidAction", "Unknown operation " + operation);
        };
    }

    private Answer runTask(Map<String, Object> request) {
        String clientToken = (String) request.get("clientToken");
        if (clientToken != null && taskByClientToken.containsKey(clientToken)) {
            // idempotency: the same token returns the task the first request launched
            return Answer.ok(Map.of("tasks", List.of(tasks.get(taskByClientToken.get(clientToken)).json(true)),
                    "failures", List.of()));
        }
        if (launchFailure != null) {
            String reason = launchFailure;
            launchFailure = null;
            return Answer.ok(Map.of("tasks", List.of(), "failures", List.of(Map.of("reason", reason))));
        }
        String taskDefinition = (String) request.get("taskDefinition");
        if (taskDefinition == null || !taskDefinition.matches("[A-Za-z0-9_-]+:[0-9]+")) {
            return Answer.error(400, "InvalidParameterException", "TaskDefinition not found.");
        }
        String id = UUID.randomUUID().toString().replace("-", "");
        Script script = scripts.isEmpty() ? Script.exits(0, List.of()) : scripts.poll();
        FakeTask task = new FakeTask(id, taskDefinition, request, script, now());
        tasks.put(task.arn, task);
        if (clientToken != null) {
            taskByClientToken.put(clientToken, task.arn);
        }
        return Answer.ok(Map.of("tasks", List.of(task.json(true)), "failures", List.of()));
    }

    @SuppressWarnings("unchecked")
    private Answer describeTasks(Map<String, Object> request) {
        List<String> wanted = (List<String>) request.getOrDefault("tasks", List.of());
        if (wanted.isEmpty() || wanted.size() > 100) {
            return Answer.error(400, "InvalidParameterException", "Tasks cannot be empty.");
        }
        boolean tags = ((List<String>) request.getOrDefault("include", List.of())).contains("TAGS");
        List<Object> found = new ArrayList<>();
        List<Object> failures = new ArrayList<>();
        for (String arnOrId : wanted) {
            FakeTask task = tasks.values().stream().filter(t -> t.arn.equals(arnOrId) || t.id.equals(arnOrId))
                    .findFirst().orElse(null);
            if (task == null) {
                failures.add(Map.of("arn", arnOrId, "reason", "MISSING"));
                continue;
            }
            task.look(now());
            found.add(task.json(tags));
        }
        return Answer.ok(Map.of("tasks", found, "failures", failures));
    }

    private Answer stopTask(Map<String, Object> request) {
        String arnOrId = (String) request.get("task");
        FakeTask task = tasks.values().stream().filter(t -> t.arn.equals(arnOrId) || t.id.equals(arnOrId))
                .findFirst().orElse(null);
        if (task == null) {
            return Answer.error(400, "InvalidParameterException", "The referenced task was not found.");
        }
        task.stop((String) request.getOrDefault("reason", "Task stopped by user"), now());
        return Answer.ok(Map.of("task", task.json(false)));
    }

    private Answer listTasks(Map<String, Object> request) {
        String startedBy = (String) request.get("startedBy");
        String family = (String) request.get("family");
        if (startedBy != null && (family != null || request.containsKey("containerInstance")
                || request.containsKey("serviceName"))) {
            return Answer.error(400, "InvalidParameterException", "startedBy must be the only filter.");
        }
        String desired = (String) request.getOrDefault("desiredStatus", "RUNNING");
        int max = request.get("maxResults") == null ? listPageSize
                : Math.min(listPageSize, ((BigDecimal) request.get("maxResults")).intValue());
        List<String> matching = tasks.values().stream()
                .filter(t -> t.desiredStatus.equals(desired))
                .filter(t -> startedBy == null || startedBy.equals(t.startedBy))
                .filter(t -> family == null || t.taskDefinition.startsWith(family + ":"))
                .map(t -> t.arn).toList();
        int from = request.get("nextToken") == null ? 0 : Integer.parseInt((String) request.get("nextToken"));
        int to = Math.min(from + max, matching.size());
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("taskArns", matching.subList(from, to));
        if (to < matching.size()) {
            response.put("nextToken", Integer.toString(to));
        }
        return Answer.ok(response);
    }

    // caller holds lock
    private Answer logs(String operation, Map<String, Object> request) {
        if (!operation.equals("GetLogEvents")) {
            return Answer.error(400, "InvalidAction", "Unknown operation " + operation);
        }
        List<String> events = streams.get((String) request.get("logStreamName"));
        if (!logGroup.equals(request.get("logGroupName")) || events == null) {
            return Answer.error(400, "ResourceNotFoundException", "The specified log stream does not exist.");
        }
        if (!Boolean.TRUE.equals(request.get("startFromHead")) && request.get("nextToken") == null) {
            return Answer.error(400, "InvalidParameterException", "the fake serves reads from the head only");
        }
        String token = (String) request.get("nextToken");
        int from = token == null ? 0 : Integer.parseInt(token.substring(2));
        int limit = request.get("limit") == null ? logPageSize : Math.min(logPageSize, ((BigDecimal) request.get("limit")).intValue());
        int to = Math.min(from + limit, events.size());
        List<Object> page = new ArrayList<>();
        long start = now().toEpochMilli();
        for (int i = from; i < to; i++) {
            page.add(Map.of("timestamp", start + i, "message", events.get(i), "ingestionTime", start + i + 5));
        }
        // at the end of the stream, the forward token comes back unchanged
        String forward = to == from && token != null ? token : String.format("f/%056d", to);
        return Answer.ok(Map.of("events", page, "nextForwardToken", forward,
                "nextBackwardToken", String.format("b/%056d", from)));
    }

    private boolean take(Map<String, Integer> counters, String operation) {
        Integer left = counters.get(operation);
        if (left == null || left == 0) {
            return false;
        }
        counters.put(operation, left - 1);
        return true;
    }

    private FakeTask task(String arn) {
        FakeTask task = tasks.get(arn);
        if (task == null) {
            throw new IllegalArgumentException("no task " + arn);
        }
        return task;
    }

    private Instant now() {
        return clock.instant();
    }

    private String clusterArn() {
        return "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":cluster/" + cluster;
    }

    private static BigDecimal epochSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }

    private record Answer(int status, Object body) {
        static Answer ok(Object body) {
            return new Answer(200, body);
        }

        static Answer error(int status, String type, String message) {
            return new Answer(status, Map.of("__type", type, "message", message));
        }
    }

    /** One task; every method runs with {@link #lock} held. */
    private final class FakeTask {
        final String id;
        final String arn;
        final String taskDefinition;
        final String startedBy;
        final String containerName;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Object overrides;
        final Script script;
        final Instant createdAt;
        final Deque<String> upcoming = new ArrayDeque<>();
        String lastStatus = "PROVISIONING";
        String desiredStatus = "RUNNING";
        Integer exitCode;
        String stoppedReason;
        String stopCode;
        String containerReason;
        Instant startedAt;
        Instant stoppingAt;
        Instant stoppedAt;
        int runningLooks;

        @SuppressWarnings("unchecked")
        FakeTask(String id, String taskDefinition, Map<String, Object> request, Script script, Instant now) {
            this.id = id;
            this.arn = "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":task/" + cluster + "/" + id;
            this.taskDefinition = taskDefinition;
            this.startedBy = (String) request.get("startedBy");
            this.overrides = request.getOrDefault("overrides", Map.of());
            List<Map<String, Object>> containerOverrides =
                    (List<Map<String, Object>>) ((Map<String, Object>) overrides).getOrDefault("containerOverrides", List.of());
            this.containerName = containerOverrides.isEmpty() ? "main" : (String) containerOverrides.get(0).get("name");
            for (Map<String, Object> tag : (List<Map<String, Object>>) request.getOrDefault("tags", List.of())) {
                tags.put((String) tag.get("key"), (String) tag.get("value"));
            }
            this.script = script;
            this.createdAt = now;
            upcoming.add("PENDING");
            upcoming.add(script.ending() == Ending.CANNOT_PULL ? "STOPPED" : "RUNNING");
        }

        String streamName() {
            return logStreamPrefix + "/" + containerName + "/" + id;
        }

        /** A DescribeTasks named this task: it moves on by one status. */
        void look(Instant now) {
            if (upcoming.isEmpty()) {
                if (lastStatus.equals("RUNNING") && script.ending() == Ending.EXITS && ++runningLooks > script.runningLooks()) {
                    exit(script.exitCode(), "Essential container in task exited", "EssentialContainerExited", now);
                }
                return;
            }
            lastStatus = upcoming.poll();
            switch (lastStatus) {
                case "RUNNING" -> {
                    startedAt = now;
                    streams.computeIfAbsent(streamName(), s -> new ArrayList<>()).addAll(script.lines());
                }
                case "STOPPED" -> {
                    stoppedAt = now;
                    desiredStatus = "STOPPED";
                    if (script.ending() == Ending.CANNOT_PULL && stopCode == null) {
                        stopCode = "TaskFailedToStart";
                        containerReason = "CannotPullContainerError: pull image manifest has been retried 5 time(s):"
                                + " failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/runner:1: not found";
                        stoppedReason = containerReason;
                    }
                }
                default -> { }
            }
        }

        void exit(int code, String reason, String ecsStopCode, Instant now) {
            if (!desiredStatus.equals("RUNNING")) {
                return;
            }
            exitCode = lastStatus.equals("RUNNING") ? code : null;
            stoppedReason = reason;
            stopCode = ecsStopCode;
            desiredStatus = "STOPPED";
            stoppingAt = now;
            upcoming.clear();
            upcoming.add("DEPROVISIONING");
            upcoming.add("STOPPED");
        }

        void stop(String reason, Instant now) {
            // SIGTERM's exit code, for a container that was running
            exit(143, reason, "UserInitiated", now);
        }

        Map<String, Object> json(boolean withTags) {
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("containerArn", "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":container/" + cluster + "/" + id + "/"
                    + UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)));
            container.put("taskArn", arn);
            container.put("name", containerName);
            container.put("image", ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com/runner:1");
            container.put("lastStatus", lastStatus.equals("DEPROVISIONING") ? "STOPPED" : lastStatus);
            if (exitCode != null) {
                container.put("exitCode", exitCode);
            }
            if (containerReason != null) {
                container.put("reason", containerReason);
            }
            container.put("networkInterfaces", List.of());
            container.put("healthStatus", "UNKNOWN");
            container.put("cpu", "0");

            Map<String, Object> task = new LinkedHashMap<>();
            task.put("attachments", List.of(Map.of("id", UUID.nameUUIDFromBytes(arn.getBytes(StandardCharsets.UTF_8)).toString(),
                    "type", "ElasticNetworkInterface", "status", "ATTACHED",
                    "details", List.of(Map.of("name", "subnetId", "value", "subnet-0123456789abcdef0")))));
            task.put("availabilityZone", "us-east-1a");
            task.put("clusterArn", clusterArn());
            task.put("connectivity", "CONNECTED");
            task.put("containers", List.of(container));
            task.put("cpu", "1024");
            task.put("createdAt", epochSeconds(createdAt));
            task.put("desiredStatus", desiredStatus);
            task.put("enableExecuteCommand", false);
            task.put("group", "family:" + taskDefinition.substring(0, taskDefinition.indexOf(':')));
            task.put("healthStatus", "UNKNOWN");
            task.put("lastStatus", lastStatus);
            task.put("launchType", "FARGATE");
            task.put("memory", "2048");
            task.put("overrides", overrides);
            task.put("platformVersion", "1.4.0");
            task.put("platformFamily", "Linux");
            if (startedAt != null) {
                task.put("startedAt", epochSeconds(startedAt));
            }
            if (startedBy != null) {
                task.put("startedBy", startedBy);
            }
            if (stopCode != null) {
                task.put("stopCode", stopCode);
            }
            if (stoppedReason != null) {
                task.put("stoppedReason", stoppedReason);
            }
            if (stoppingAt != null) {
                task.put("stoppingAt", epochSeconds(stoppingAt));
            }
            if (stoppedAt != null) {
                task.put("stoppedAt", epochSeconds(stoppedAt));
            }
            if (withTags) {
                task.put("tags", tags.entrySet().stream().map(e -> Map.of("key", e.getKey(), "value", e.getValue())).toList());
            }
            task.put("taskArn", arn);
            task.put("taskDefinitionArn", "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":task-definition/" + taskDefinition);
            task.put("version", 1);
            task.put("ephemeralStorage", Map.of("sizeInGiB", 20));
            return task;
        }
    }
}
