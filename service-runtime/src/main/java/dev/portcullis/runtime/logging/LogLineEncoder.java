package dev.portcullis.runtime.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.portcullis.runtime.json.CanonicalJson;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.event.KeyValuePair;

/**
 * One log event per line, as JSON (production: {@code timestamp} ISO-8601 UTC, {@code level},
 * {@code logger}, {@code service}, {@code message}, {@code trace_id} and {@code span_id} of the
 * current OpenTelemetry span, {@code run_id} from the MDC, every SLF4J key-value pair and MDC entry,
 * and {@code exception} with {@code class}, {@code message} and {@code stack}) or as text for a
 * terminal (dev mode, the CLI: time, level, logger, message, key-value pairs, run and trace id,
 * then the stack). Configured in logback as
 * {@code <encoder class="dev.portcullis.runtime.logging.LogLineEncoder"><format>json</format></encoder>}.
 *
 * <p>{@code service} is the suite's service whose package the logger is in
 * ({@code dev.portcullis.gateway…}), else a {@code service} key-value pair, else the process's own
 * service ({@link #setService}); in dev mode the four services share one JVM and are told apart by
 * the first two. Fields whose name says credential ({@code password}, {@code secret},
 * {@code token}, …) are printed as {@code [redacted]}: a safety net, since secrets are never logged
 * on purpose. Thread-safe once started.
 */
public final class LogLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final Set<String> SERVICES = Set.of("gateway", "policy", "executor", "audit");
    private static final Set<String> OWN_FIELDS =
            Set.of("timestamp", "level", "logger", "service", "message", "trace_id", "span_id", "run_id", "exception");
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(password|passwd|secret|token|credential|authorization|private_?key|api_?key|cookie).*");
    private static final DateTimeFormatter CLOCK_TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());
    private static final String REDACTED = "[redacted]";

    /** The two ways of writing a line. */
    public enum Format { JSON, TEXT }

    private volatile Format format = Format.JSON;
    private volatile String service = "";

    /** {@code json} (the default) or {@code text}, any case; anything else is refused. */
    public void setFormat(String format) {
        String name = format == null ? "" : format.strip().toUpperCase(Locale.ROOT);
        try {
            this.format = Format.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("log format must be json or text (PORTCULLIS_LOG_FORMAT), was '" + format + "'");
        }
    }

    /** The process's own service, for loggers outside a service's package (the shared runtime). */
    public void setService(String service) {
        this.service = service == null ? "" : service.strip();
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        String line = format == Format.JSON ? json(event) : text(event);
        return line.getBytes(StandardCharsets.UTF_8);
    }

    private String json(ILoggingEvent event) {
        Map<String, String> extra = extraFields(event);
        return CanonicalJson.write(json -> {
            json.writeStartObject();
            json.writeStringField("timestamp", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(event.getTimeStamp())));
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("logger", event.getLoggerName());
            String owner = serviceOf(event);
            if (!owner.isEmpty()) {
                json.writeStringField("service", owner);
            }
            json.writeStringField("message", String.valueOf(event.getFormattedMessage()));
            SpanContext span = Span.current().getSpanContext();
            if (span.isValid()) {
                json.writeStringField("trace_id", span.getTraceId());
                json.writeStringField("span_id", span.getSpanId());
            }
            String runId = runId(event);
            if (!runId.isEmpty()) {
                json.writeStringField("run_id", runId);
            }
            for (Map.Entry<String, String> field : extra.entrySet()) {
                json.writeStringField(field.getKey(), field.getValue());
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                json.writeObjectFieldStart("exception");
                json.writeStringField("class", thrown.getClassName());
                json.writeStringField("message", String.valueOf(thrown.getMessage()));
                json.writeStringField("stack", ThrowableProxyUtil.asString(thrown));
                json.writeEndObject();
            }
            json.writeEndObject();
        }) + CoreConstants.LINE_SEPARATOR;
    }

    private String text(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(160)
                .append(CLOCK_TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ')
                .append(String.format(Locale.ROOT, "%-5s", event.getLevel())).append(' ')
                .append(event.getLoggerName().substring(event.getLoggerName().lastIndexOf('.') + 1)).append(' ')
                .append(event.getFormattedMessage());
        extraFields(event).forEach((key, value) -> out.append(' ').append(key).append("=\"").append(value).append('"'));
        String runId = runId(event);
        if (!runId.isEmpty()) {
            out.append(" run_id=").append(runId);
        }
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
            out.append(" trace_id=").append(span.getTraceId());
        }
        out.append(CoreConstants.LINE_SEPARATOR);
        if (event.getThrowableProxy() != null) {
            out.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append(CoreConstants.LINE_SEPARATOR);
        }
        return out.toString();
    }

    private String serviceOf(ILoggingEvent event) {
        String logger = event.getLoggerName();
        if (logger.startsWith("dev.portcullis.")) {
            int end = logger.indexOf('.', "dev.portcullis.".length());
            String part = end < 0 ? "" : logger.substring("dev.portcullis.".length(), end);
            if (SERVICES.contains(part)) {
                return part;
            }
        }
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair pair : event.getKeyValuePairs()) {
                if ("service".equals(pair.key) && pair.value != null) {
                    return String.valueOf(pair.value);
                }
            }
        }
        return service;
    }

    /** A {@code run_id} key-value pair, else the MDC's, else empty. */
    private static String runId(ILoggingEvent event) {
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair pair : event.getKeyValuePairs()) {
                if ("run_id".equals(pair.key) && pair.value != null) {
                    return String.valueOf(pair.value);
                }
            }
        }
        String fromMdc = event.getMDCPropertyMap() == null ? null : event.getMDCPropertyMap().get("run_id");
        return fromMdc == null ? "" : fromMdc;
    }

    /** The MDC and then the key-value pairs (which win), without the fields written on their own. */
    private static Map<String, String> extraFields(ILoggingEvent event) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (event.getMDCPropertyMap() != null) {
            event.getMDCPropertyMap().forEach((key, value) -> put(fields, key, value));
        }
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair pair : event.getKeyValuePairs()) {
                put(fields, pair.key, String.valueOf(pair.value));
            }
        }
        return fields;
    }

    private static void put(Map<String, String> fields, String key, String value) {
        if (key == null || key.equals("service") || key.equals("run_id")) {
            return; // written as fields of their own
        }
        String name = OWN_FIELDS.contains(key) ? "kv_" + key : key;
        fields.put(name, SECRET_NAME.matcher(key).matches() ? REDACTED : String.valueOf(value));
    }
}
