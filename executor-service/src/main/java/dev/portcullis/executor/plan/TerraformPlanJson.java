package dev.portcullis.executor.plan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the output of {@code terraform show -json PLANFILE} (also OpenTofu's) into a
 * {@link PlanSummary}. It streams: attribute values ({@code before}, {@code after},
 * {@code after_unknown}, the sensitivity maps, {@code variables}, {@code prior_state},
 * {@code planned_values}, {@code configuration}) are skipped token by token and never held, so no
 * value, sensitive or not, can reach the summary or an error message.
 *
 * <p>Refuses, with a {@link PlanRejectedException}: input above the configured size; anything but
 * one JSON object, duplicate keys included; a {@code format_version} whose major is not 1; an
 * action Terraform does not write; a plan Terraform marked {@code errored}. Thread-safe; each call
 * blocks while it reads its stream.
 */
public final class TerraformPlanJson {
    /** 64 MiB: far above real plans, low enough to bound the memory and time one plan may take. */
    public static final long DEFAULT_MAX_INPUT_BYTES = 64L * 1024 * 1024;
    /** Resources, drifted resources and outputs listed by name; the rest are only counted. */
    public static final int DEFAULT_MAX_LISTED = 1000;

    private static final Pattern FORMAT_VERSION = Pattern.compile("([0-9]{1,4})\\.[0-9]{1,4}");
    private static final String KNOWN_MAJOR = "1";
    private static final int MAX_NESTING_DEPTH = 1000;

    private final long maxInputBytes;
    private final int maxListed;
    private final JsonFactory json;

    /** A reader with {@link #DEFAULT_MAX_INPUT_BYTES} and {@link #DEFAULT_MAX_LISTED}. */
    public TerraformPlanJson() {
        this(DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_LISTED);
    }

    /**
     * @param maxInputBytes larger input is refused, at least 1
     * @param maxListed how many resources (and, separately, drifted resources and outputs) the
     *     summary lists by name, at least 1
     */
    public TerraformPlanJson(long maxInputBytes, int maxListed) {
        if (maxInputBytes < 1) {
            throw new IllegalArgumentException("maxInputBytes must be at least 1");
        }
        if (maxListed < 1) {
            throw new IllegalArgumentException("maxListed must be at least 1");
        }
        this.maxInputBytes = maxInputBytes;
        this.maxListed = maxListed;
        this.json = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxInputBytes))
                        .build())
                .build();
    }

    /**
     * Summarises the plan JSON in {@code planJson}, reading it to its end; the caller closes it.
     *
     * @throws PlanRejectedException when the plan cannot be summarised; its message is safe to show
     * @throws java.io.UncheckedIOException when reading the stream fails
     */
    public PlanSummary summarise(InputStream planJson) {
        Reading reading = new Reading(maxListed);
        try (JsonParser parser = json.createParser(new BoundedInputStream(planJson, maxInputBytes))) {
            readPlan(parser, reading);
        } catch (TooLarge tooLarge) {
            throw new PlanRejectedException(PlanRejectedException.Problem.TOO_LARGE,
                    "plan JSON is larger than " + maxInputBytes + " bytes");
        } catch (StreamConstraintsException limits) {
            throw malformed("plan JSON exceeds the parser's limits on nesting or length");
        } catch (JsonProcessingException invalid) {
            // Jackson's own message may quote the document, and the document may hold secrets
            throw malformed("plan JSON is not valid JSON" + at(invalid.getLocation()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the plan JSON", e);
        } catch (IllegalArgumentException invalid) {
            // from the summary's own value checks, whose messages never quote the text checked
            throw malformed("plan JSON is not a Terraform plan: " + invalid.getMessage());
        }
        return reading.summary();
    }

    private static void readPlan(JsonParser parser, Reading reading) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw malformed("plan JSON must be one object");
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "format_version" -> reading.formatVersion = knownFormat(text(parser, "format_version"));
                case "errored" -> reading.errored = value == JsonToken.VALUE_TRUE;
                case "resource_changes" -> forEachElement(parser, "resource_changes",
                        () -> reading.change(readResource(parser)));
                case "resource_drift" -> forEachElement(parser, "resource_drift",
                        () -> reading.drift(readResource(parser)));
                case "output_changes" -> readOutputs(parser, reading);
                default -> parser.skipChildren();
            }
        }
        if (parser.nextToken() != null) {
            throw malformed("plan JSON has data after its object");
        }
    }

    private static String knownFormat(String version) {
        Matcher matcher = FORMAT_VERSION.matcher(version);
        if (!matcher.matches()) {
            throw new PlanRejectedException(PlanRejectedException.Problem.UNSUPPORTED_FORMAT,
                    "plan JSON format_version must be MAJOR.MINOR");
        }
        if (!matcher.group(1).equals(KNOWN_MAJOR)) {
            throw new PlanRejectedException(PlanRejectedException.Problem.UNSUPPORTED_FORMAT,
                    "plan JSON format_version " + version + " is not supported; this reader knows 1.x");
        }
        return version;
    }

    private static ResourceChange readResource(JsonParser parser) throws IOException {
        expect(parser, JsonToken.START_OBJECT, "a resource change");
        String address = null;
        String type = null;
        String reason = "";
        String previousAddress = "";
        Change change = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "address" -> address = text(parser, "address");
                case "type" -> type = text(parser, "type");
                case "action_reason" -> reason = text(parser, "action_reason");
                case "previous_address" -> previousAddress = text(parser, "previous_address");
                case "change" -> change = readChange(parser);
                default -> parser.skipChildren();
            }
        }
        if (address == null || type == null || change == null) {
            throw malformed("a resource change lacks its address, type or change" + at(parser.currentLocation()));
        }
        return new ResourceChange(address, type, change.actions, reason, change.importing, previousAddress);
    }

    private record Change(List<PlanAction> actions, boolean importing) {}

    private static Change readChange(JsonParser parser) throws IOException {
        expect(parser, JsonToken.START_OBJECT, "a change");
        List<PlanAction> actions = null;
        boolean importing = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "actions" -> actions = readActions(parser);
                case "importing" -> {
                    importing = value != JsonToken.VALUE_NULL;
                    parser.skipChildren();
                }
                default -> parser.skipChildren(); // before, after, after_unknown, sensitivity: values
            }
        }
        if (actions == null) {
            throw malformed("a change lacks its actions" + at(parser.currentLocation()));
        }
        return new Change(actions, importing);
    }

    private static List<PlanAction> readActions(JsonParser parser) throws IOException {
        List<PlanAction> actions = new ArrayList<>();
        forEachElement(parser, "actions", () -> {
            String word = text(parser, "an action");
            actions.add(PlanAction.fromJson(word)
                    .orElseThrow(() -> malformed("an action is not one Terraform writes" + at(parser.currentLocation()))));
            if (actions.size() > 2) {
                throw malformed("a change has more than two actions" + at(parser.currentLocation()));
            }
        });
        if (ChangeKind.of(actions).isEmpty()) {
            throw malformed("actions are not a combination Terraform writes" + at(parser.currentLocation()));
        }
        return actions;
    }

    private static void readOutputs(JsonParser parser, Reading reading) throws IOException {
        expect(parser, JsonToken.START_OBJECT, "output_changes");
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = PlanText.outputName(parser.currentName());
            parser.nextToken();
            reading.output(name, readChange(parser));
        }
    }

    private interface ElementReader {
        void read() throws IOException;
    }

    private static void forEachElement(JsonParser parser, String what, ElementReader element) throws IOException {
        expect(parser, JsonToken.START_ARRAY, what);
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            element.read();
        }
    }

    private static void expect(JsonParser parser, JsonToken token, String what) {
        if (parser.currentToken() != token) {
            throw malformed(what + " has the wrong JSON type" + at(parser.currentLocation()));
        }
    }

    private static String text(JsonParser parser, String what) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw malformed(what + " must be a string" + at(parser.currentLocation()));
        }
        return parser.getText();
    }

    private static PlanRejectedException malformed(String message) {
        return new PlanRejectedException(PlanRejectedException.Problem.MALFORMED, message);
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1
                ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** What one summarise call has read so far; confined to that call. */
    private static final class Reading {
        private final int maxListed;
        private String formatVersion;
        private boolean errored;
        private ChangeCounts counts = ChangeCounts.NONE;
        private final List<ResourceChange> changes = new ArrayList<>();
        private int changesNotListed;
        private final List<String> outputs = new ArrayList<>();
        private int outputsNotListed;
        private final List<ResourceChange> drift = new ArrayList<>();
        private int driftNotListed;

        Reading(int maxListed) {
            this.maxListed = maxListed;
        }

        void change(ResourceChange change) {
            counts = counts.plus(change);
            if (!change.isChange()) {
                return;
            }
            if (changes.size() < maxListed) {
                changes.add(change);
            } else {
                changesNotListed++;
            }
        }

        void drift(ResourceChange change) {
            if (drift.size() < maxListed) {
                drift.add(change);
            } else {
                driftNotListed++;
            }
        }

        void output(String name, Change change) {
            if (ChangeKind.of(change.actions()).orElseThrow() == ChangeKind.NO_OP) {
                return;
            }
            if (outputs.size() < maxListed) {
                outputs.add(name);
            } else {
                outputsNotListed++;
            }
        }

        PlanSummary summary() {
            if (formatVersion == null) {
                throw new PlanRejectedException(PlanRejectedException.Problem.UNSUPPORTED_FORMAT,
                        "plan JSON has no format_version");
            }
            if (errored) {
                throw new PlanRejectedException(PlanRejectedException.Problem.ERRORED,
                        "Terraform marked the plan as errored: it does not describe everything apply would do");
            }
            return new PlanSummary(formatVersion, counts, changes, changesNotListed, outputs, outputsNotListed,
                    drift, driftNotListed);
        }
    }

    /** Signals input beyond the bound; an IOException so that it leaves Jackson unwrapped. */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("plan JSON too large", null);
        }
    }

    private static final class BoundedInputStream extends FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long maxBytes) {
            super(in);
            this.remaining = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) throws TooLarge {
            remaining -= n;
            if (remaining < 0) {
                throw new TooLarge();
            }
        }
    }
}
