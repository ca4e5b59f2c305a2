package dev.portcullis.executor.backend.ecs;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * Reads one log stream forward from its first event with {@code GetLogEvents}, remembering the
 * forward token between reads. Not thread-safe: owned by one {@link TaskFollower}, whose steps
 * never overlap.
 */
final class LogTail {
    /** Pages read in one {@link #read()}, so one chatty task cannot hold a runner thread for long. */
    static final int MAX_PAGES_PER_READ = 20;

    private final CloudWatchLogsClient logs;
    private final String group;
    private final String stream;
    // the forward token of the last page read; empty before the first read
    private String nextToken = "";

    LogTail(CloudWatchLogsClient logs, String group, String stream) {
        this.logs = requireNonNull(logs, "logs is null");
        this.group = requireNonNull(group, "group is null");
        this.stream = requireNonNull(stream, "stream is null");
    }

    String stream() {
        return stream;
    }

    /**
     * The events that arrived since the last read, oldest first. A stream that does not exist yet
     * (the container has not started) reads as empty. Throws the SDK's exception on any other failure;
     * the position is kept, so the next read continues where the last successful page ended.
     */
    Page read() {
        List<String> lines = new ArrayList<>();
        for (int page = 0; page < MAX_PAGES_PER_READ; page++) {
            GetLogEventsRequest.Builder request = GetLogEventsRequest.builder()
                    .logGroupName(group)
                    .logStreamName(stream)
                    .startFromHead(true);
            if (!nextToken.isEmpty()) {
                request.nextToken(nextToken);
            }
            GetLogEventsResponse response;
            try {
                response = logs.getLogEvents(request.build());
            } catch (ResourceNotFoundException notYet) {
                return new Page(List.copyOf(lines), true);
            }
            for (OutputLogEvent event : response.events()) {
                if (event.message() != null) {
                    lines.add(event.message());
                }
            }
            String forward = response.nextForwardToken();
            // the end of the stream, for now, is the token coming back unchanged
            boolean end = forward == null || forward.equals(nextToken);
            if (forward != null) {
                nextToken = forward;
            }
            if (end) {
                return new Page(List.copyOf(lines), true);
            }
        }
        return new Page(List.copyOf(lines), false);
    }

    /**
     * @param lines new lines, oldest first
     * @param atEnd whether the stream was read to its current end (false: more pages are waiting)
     */
    record Page(List<String> lines, boolean atEnd) {}
}
