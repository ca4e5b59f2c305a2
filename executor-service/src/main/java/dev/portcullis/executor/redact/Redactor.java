package dev.portcullis.executor.redact;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Masks a task's secrets, in every form they are known to take in a log, and well-known
 * credential patterns in the lines of the task's log streams. Every log line that leaves the
 * executor (to {@code WatchTask}, to the executor's own logs, into errors) must pass through one.
 *
 * <p>Built once per task from its secrets: {@link #of} validates them and compiles every form of
 * every secret into one multi-pattern automaton (see {@link SecretForms} for the forms). Each
 * secret also contributes derived values that are masked as secrets of their own: the value
 * without surrounding whitespace; for a multi-line value (a PEM key, a value with {@code \n}),
 * each of its lines of at least {@value #MIN_SECRET_LENGTH} characters (escaped forms only: a log
 * prints a multi-line value line by line); for a JSON object or array, each inner string value of
 * at least {@value #MIN_SECRET_LENGTH} characters (every form).
 *
 * <p>A secret split across two lines or log events is masked whole, in both: see
 * {@link LineStream} for how lines are held back, boundedly, until that is decided.
 *
 * <p>Immutable and thread-safe; {@link #stream()} hands out single-threaded {@link LineStream}s.
 */
public final class Redactor {
    /** What replaces each masked occurrence. */
    public static final String MASK = "[REDACTED]";
    /** The shortest secret value, in characters, that can be masked without shredding the log. */
    public static final int MIN_SECRET_LENGTH = 8;
    /** The longest secret value accepted, in characters: its forms must fit in bounded memory. */
    public static final int MAX_SECRET_LENGTH = 16 * 1024;
    /** Bound of the characters of all literal forms of a task's secrets together. */
    static final long MAX_LITERAL_CHARS = 4_000_000L;

    private static final Redactor PATTERNS_ONLY = new Redactor(List.of());

    private final LiteralAutomaton automaton;
    private final List<String> kinds;

    private Redactor(Collection<Secret> secrets) {
        List<String> kindNames = new ArrayList<>();
        LiteralAutomaton.Builder builder = LiteralAutomaton.builder();
        long literalChars = 0;
        for (Secret secret : secrets) {
            int kind = kindNames.size();
            kindNames.add("secret:" + secret.path());
            for (String literal : literals(secret)) {
                literalChars += literal.length();
                if (literalChars > MAX_LITERAL_CHARS) {
                    throw new UnsafeSecretException(secret.path(),
                            "the task's secrets are too large to mask within bounded memory");
                }
                builder.literal(literal, kind);
            }
        }
        CredentialPatterns.ANCHORS.forEach(anchor -> builder.anchor(anchor.text()));
        this.kinds = List.copyOf(kindNames);
        this.automaton = builder.build();
    }

    /**
     * Compiles every form of every secret. Call once per task: for large secrets (a PEM key and
     * its encodings) it takes up to a few hundred milliseconds and some megabytes.
     *
     * @throws UnsafeSecretException naming the first secret (in iteration order) that cannot be
     *     masked safely: shorter than {@value #MIN_SECRET_LENGTH} characters once surrounding
     *     whitespace is removed, longer than {@value #MAX_SECRET_LENGTH}, a multi-line value with
     *     no line of at least {@value #MIN_SECRET_LENGTH} characters, or all forms together beyond
     *     the memory bound. Every secret is validated before any is compiled.
     */
    public static Redactor of(Collection<Secret> secrets) {
        List<Secret> copy = List.copyOf(requireNonNull(secrets, "secrets is null"));
        copy.forEach(Redactor::validate);
        return copy.isEmpty() ? PATTERNS_ONLY : new Redactor(copy);
    }

    /** Masks the well-known credential patterns only: for a task without secrets. */
    public static Redactor patternsOnly() {
        return PATTERNS_ONLY;
    }

    /**
     * A new stream of lines, one per log stream of a task (a process's stdout, a CloudWatch log
     * stream): it remembers the end of the previous line, so a secret split across two
     * consecutive lines or log events is still masked. Not thread-safe.
     */
    public LineStream stream() {
        return new LineStream(this);
    }

    LiteralAutomaton automaton() {
        return automaton;
    }

    /** The detection name of a literal kind: {@code secret:PATH}. */
    String kind(int kind) {
        return kinds.get(kind);
    }

    private static void validate(Secret secret) {
        requireNonNull(secret, "secret is null");
        String value = secret.reveal();
        String stripped = value.strip();
        if (characters(stripped) < MIN_SECRET_LENGTH) {
            throw new UnsafeSecretException(secret.path(), "shorter than " + MIN_SECRET_LENGTH + " characters");
        }
        if (value.length() > MAX_SECRET_LENGTH) {
            throw new UnsafeSecretException(secret.path(), "longer than " + MAX_SECRET_LENGTH + " characters");
        }
        List<String> lines = stripped.lines().map(String::strip).toList();
        if (lines.size() > 1 && lines.stream().allMatch(line -> characters(line) < MIN_SECRET_LENGTH)) {
            throw new UnsafeSecretException(secret.path(),
                    "a multi-line value needs a line of at least " + MIN_SECRET_LENGTH + " characters");
        }
    }

    /** Every literal to mask for one secret. */
    private static Set<String> literals(Secret secret) {
        Set<String> everyForm = new LinkedHashSet<>();
        Set<String> escapedOnly = new LinkedHashSet<>();
        derive(secret.reveal(), everyForm, escapedOnly, 0);
        Set<String> literals = new LinkedHashSet<>();
        everyForm.forEach(value -> literals.addAll(SecretForms.all(value)));
        escapedOnly.forEach(value -> literals.addAll(SecretForms.escaped(value)));
        literals.removeIf(literal -> literal.length() < MIN_SECRET_LENGTH);
        return literals;
    }

    private static void derive(String value, Set<String> everyForm, Set<String> escapedOnly, int nesting) {
        String stripped = value.strip();
        everyForm.add(value);
        everyForm.add(stripped);
        List<String> lines = stripped.lines().map(String::strip).toList();
        if (lines.size() > 1) {
            lines.stream().filter(line -> characters(line) >= MIN_SECRET_LENGTH).forEach(escapedOnly::add);
            if (!stripped.contains("\r\n")) {
                escapedOnly.add(stripped.replace("\n", "\r\n"));
            }
        }
        if (nesting == 0) {
            Optional<List<String>> inner = JsonStringValues.of(stripped);
            inner.ifPresent(values -> values.stream()
                    .filter(inside -> characters(inside.strip()) >= MIN_SECRET_LENGTH)
                    .forEach(inside -> derive(inside, everyForm, escapedOnly, nesting + 1)));
        }
    }

    private static int characters(String text) {
        return text.codePointCount(0, text.length());
    }
}
