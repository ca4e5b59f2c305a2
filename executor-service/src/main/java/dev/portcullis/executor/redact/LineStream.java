package dev.portcullis.executor.redact;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;

/**
 * The lines of one log stream of a task, redacted in order. Not thread-safe: one stream, one
 * reader.
 *
 * <p><b>Secrets split across lines.</b> The automaton reads the stream's lines as one text with
 * nothing between them, so an occurrence that starts in one line and ends in a later one (a
 * secret broken by a terminal's wrap, by {@code base64}'s 76-column lines, by a log event
 * boundary) is found like any other. A line can only be released once no occurrence can still
 * reach back into it: after each line the automaton knows the longest tail of the text read so far
 * that is the beginning of some literal form ({@link LiteralAutomaton#pendingLength}), and any
 * occurrence not yet complete starts inside that tail. So a line is held back exactly while part
 * of it lies in that tail, and is released, with every occurrence that touches it masked, as soon
 * as a following line moves the tail past it (or by {@link #finish()}). An ordinary line, whose end
 * begins no secret form, is released at once; one whose last characters could begin one (often a
 * single letter: some encoded form starts with it) waits for the next line. A split secret is
 * masked in both lines, whole, never leaving its beginning behind.
 *
 * <p>Bounded memory: the tail is shorter than the longest literal form, so the held lines are the
 * few that overlap it; at most {@value #MAX_HELD_LINES} lines are held (more is only possible with
 * empty or tiny lines). Beyond that the oldest is released with its part of the tail masked:
 * failing closed, that may mask text that would not have completed a secret.
 *
 * <p>Credential patterns are matched within a line. A private-key block is masked from its
 * {@code BEGIN … PRIVATE KEY} marker to its {@code END} marker, for at most
 * {@value #MAX_PRIVATE_KEY_LINES} lines.
 */
public final class LineStream {
    static final int MAX_HELD_LINES = 64;
    static final int MAX_PRIVATE_KEY_LINES = 1024;
    private static final int MAX_BUFFER = 1 << 16;

    private final Redactor redactor;
    private final LiteralAutomaton automaton;
    private final LiteralAutomaton.Hits hits = new LiteralAutomaton.Hits() {
        @Override
        public void literal(int index, int state) {
            int length = automaton.matchLength(state);
            long end = lineStart + index + 1;
            maskBack(end - length, end, redactor.kind(automaton.matchKind(state)));
        }

        @Override
        public void anchor(int start) {
            anchorAt(start);
        }
    };
    /** Lines read but not released yet, oldest first; all of them end after the pending tail starts. */
    private final ArrayDeque<Pending> held = new ArrayDeque<>();
    private final Matcher[] matchers;
    private final long[] matcherLine;
    private final Matcher privateKeyBegin = CredentialPatterns.PRIVATE_KEY_BEGIN.matcher("");
    /** The low 8 bits of the characters of the line being scanned; grows to the longest line up to a bound. */
    private byte[] buffer = new byte[256];

    private int state = LiteralAutomaton.ROOT;
    /** Characters read so far, over all lines. */
    private long position;
    private long lines;
    private boolean finished;
    private boolean inPrivateKey;
    private int privateKeyLines;

    // the line being read by accept
    private String line = "";
    private long lineStart;
    private Pending current;
    private boolean sawPrivateKeyAnchor;

    LineStream(Redactor redactor) {
        this.redactor = requireNonNull(redactor, "redactor is null");
        this.automaton = redactor.automaton();
        this.matchers = new Matcher[CredentialPatterns.RULES.size()];
        this.matcherLine = new long[matchers.length];
        for (int rule = 0; rule < matchers.length; rule++) {
            matchers[rule] = CredentialPatterns.RULES.get(rule).pattern().matcher("");
            matcherLine[rule] = -1;
        }
    }

    /**
     * Feeds the next line of the stream.
     *
     * @param line one line, without its terminator
     * @return the lines now safe to release, redacted, in stream order: usually just this one;
     *     none while it is held back because its end may begin a secret that the next line
     *     completes; several when a held line is released with it
     * @throws IllegalStateException after {@link #finish()}
     */
    public List<RedactedLine> accept(String line) {
        requireNonNull(line, "line is null");
        if (finished) {
            throw new IllegalStateException("stream is finished");
        }
        this.line = line;
        this.lineStart = position;
        this.current = null;
        this.sawPrivateKeyAnchor = false;
        lines++;

        int length = line.length();
        if (length > buffer.length && length <= MAX_BUFFER) {
            buffer = new byte[Math.max(length, Math.min(MAX_BUFFER, buffer.length * 2))];
        }
        byte[] low = length <= buffer.length ? buffer : new byte[length];
        lowBytes(line, low);
        state = automaton.scan(line, low, length, state, hits);
        position += line.length();
        if (inPrivateKey || sawPrivateKeyAnchor) {
            privateKeys();
        }

        int pending = automaton.pendingLength(state);
        if (held.isEmpty() && pending == 0) {
            return List.of(current == null ? new RedactedLine(line, List.of()) : current.release());
        }
        held.addLast(current == null ? new Pending(line, lineStart) : current);
        long pendingStart = position - pending;
        List<RedactedLine> released = new ArrayList<>(2);
        while (!held.isEmpty() && held.peekFirst().end <= pendingStart) {
            released.add(held.pollFirst().release());
        }
        while (held.size() > MAX_HELD_LINES) {
            Pending oldest = held.pollFirst();
            long from = Math.max(oldest.start, pendingStart);
            if (from < oldest.end) {
                oldest.mask((int) (from - oldest.start), oldest.text.length(),
                        redactor.kind(automaton.pendingKind(state)));
            }
            released.add(oldest.release());
        }
        return released;
    }

    /**
     * The low 8 bits of each character, which is what the automaton's filters read: exactly the
     * deprecated {@link String#getBytes(int, int, byte[], int)}, whose "improper" conversion is the
     * point here; for the common Latin-1 line it is one array copy.
     */
    @SuppressWarnings("deprecation")
    private static void lowBytes(String line, byte[] low) {
        line.getBytes(0, line.length(), low, 0);
    }

    /** Ends the stream: releases whatever is held back, redacted. Further lines are refused. */
    public List<RedactedLine> finish() {
        finished = true;
        List<RedactedLine> released = new ArrayList<>(held.size());
        while (!held.isEmpty()) {
            released.add(held.pollFirst().release());
        }
        return released;
    }

    /** Masks {@code [start, end)} of the stream: this line's part and any held line's. */
    private void maskBack(long start, long end, String kind) {
        if (start >= lineStart) {
            current().mask((int) (start - lineStart), (int) (end - lineStart), kind);
            return;
        }
        if (end > lineStart) {
            current().mask(0, (int) (end - lineStart), kind);
        }
        Iterator<Pending> back = held.descendingIterator();
        while (back.hasNext()) {
            Pending earlier = back.next();
            long from = Math.max(start, earlier.start);
            long to = Math.min(end, earlier.end);
            if (from < to) {
                earlier.mask((int) (from - earlier.start), (int) (to - earlier.start), kind);
            }
            if (earlier.start <= start) {
                break;
            }
        }
    }

    /** Runs the rules of every anchor that starts at {@code start}; patterns are matched within a line. */
    private void anchorAt(int start) {
        for (CredentialPatterns.Anchor anchor : CredentialPatterns.startingWith(line.charAt(start))) {
            if (!line.startsWith(anchor.text(), start)) {
                continue;
            }
            if (anchor.rule() < 0) {
                sawPrivateKeyAnchor = true;
                continue;
            }
            CredentialPatterns.Rule rule = CredentialPatterns.RULES.get(anchor.rule());
            Matcher matcher = matchers[anchor.rule()];
            if (matcherLine[anchor.rule()] != lines) {
                matcher.reset(line);
                matcherLine[anchor.rule()] = lines;
            }
            if (rule.matches(matcher, line, start)) {
                current().mask(matcher.start(rule.group()), matcher.end(rule.group()), rule.kind());
            }
        }
    }

    /** Masks the body of private-key blocks: within this line, and every line until the END marker. */
    private void privateKeys() {
        int from = 0;
        if (inPrivateKey) {
            int end = line.indexOf(CredentialPatterns.PEM_END);
            if (end < 0) {
                maskKeyBody(0, line.length());
                if (++privateKeyLines >= MAX_PRIVATE_KEY_LINES) {
                    inPrivateKey = false;
                }
                return;
            }
            maskKeyBody(0, end);
            inPrivateKey = false;
            from = end + CredentialPatterns.PEM_END.length();
        }
        if (!sawPrivateKeyAnchor) {
            return;
        }
        privateKeyBegin.reset(line);
        while (from < line.length() && privateKeyBegin.find(from)) {
            int body = privateKeyBegin.end();
            int end = line.indexOf(CredentialPatterns.PEM_END, body);
            if (end < 0) {
                maskKeyBody(body, line.length());
                inPrivateKey = true;
                privateKeyLines = 0;
                return;
            }
            maskKeyBody(body, end);
            from = end + CredentialPatterns.PEM_END.length();
        }
    }

    private void maskKeyBody(int from, int to) {
        int start = from;
        int end = to;
        while (start < end && Character.isWhitespace(line.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        if (start < end) {
            current().mask(start, end, CredentialPatterns.PRIVATE_KEY);
        }
    }

    private Pending current() {
        if (current == null) {
            current = new Pending(line, lineStart);
        }
        return current;
    }

    /** A line and the spans to mask in it, collected until it is released. */
    private static final class Pending {
        final String text;
        final long start;
        final long end;
        private int[] spans = new int[8];
        private String[] kinds = new String[4];
        private int count;

        Pending(String text, long start) {
            this.text = text;
            this.start = start;
            this.end = start + text.length();
        }

        void mask(int from, int to, String kind) {
            if (count == kinds.length) {
                spans = Arrays.copyOf(spans, count * 4);
                kinds = Arrays.copyOf(kinds, count * 2);
            }
            spans[2 * count] = from;
            spans[2 * count + 1] = to;
            kinds[count++] = kind;
        }

        RedactedLine release() {
            if (count == 0) {
                return new RedactedLine(text, List.of());
            }
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(spans[2 * a], spans[2 * b]));
            StringBuilder out = new StringBuilder(text.length());
            List<String> detections = new ArrayList<>();
            int copied = 0;
            int i = 0;
            while (i < count) {
                int from = spans[2 * order[i]];
                int to = spans[2 * order[i] + 1];
                List<String> regionKinds = new ArrayList<>(1);
                regionKinds.add(kinds[order[i]]);
                for (i++; i < count && spans[2 * order[i]] < to; i++) {
                    to = Math.max(to, spans[2 * order[i] + 1]);
                    if (!regionKinds.contains(kinds[order[i]])) {
                        regionKinds.add(kinds[order[i]]);
                    }
                }
                out.append(text, copied, from).append(Redactor.MASK);
                copied = to;
                detections.addAll(regionKinds);
            }
            out.append(text, copied, text.length());
            return new RedactedLine(out.toString(), detections);
        }
    }
}
