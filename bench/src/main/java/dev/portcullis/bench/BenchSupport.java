package dev.portcullis.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the benchmarks share: reading their options, a fresh owner-only data directory, git for their repositories. */
public final class BenchSupport {
    private BenchSupport() {}

    /** The int after {@code name} in {@code arguments}, else {@code fallback}. */
    static int integer(List<String> arguments, String name, int fallback) {
        return Integer.parseInt(option(arguments, name, Integer.toString(fallback)));
    }

    /** The value after {@code name} in {@code arguments}, else {@code fallback}. */
    static String option(List<String> arguments, String name, String fallback) {
        int at = arguments.indexOf(name);
        if (at < 0) {
            return fallback;
        }
        if (at + 1 >= arguments.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return arguments.get(at + 1);
    }

    /** The environment variable {@code name}, else {@code fallback} when it is unset or blank. */
    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Empties {@code dir} (or creates it), readable by its owner only. */
    public static void freshDirectory(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /**
     * Runs git in {@code dir} as the benchmarks' author, with no system or user configuration, and
     * returns its output.
     *
     * @throws IllegalStateException when git fails, with its output
     */
    public static String git(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(Map.of("GIT_AUTHOR_NAME", "bench", "GIT_AUTHOR_EMAIL", "bench@portcullis.dev",
                "GIT_COMMITTER_NAME", "bench", "GIT_COMMITTER_EMAIL", "bench@portcullis.dev",
                "GIT_CONFIG_NOSYSTEM", "1", "GIT_CONFIG_GLOBAL", "/dev/null"));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running git", e);
        }
        return out;
    }

    /** Puts {@code NAME_p50_ms} and {@code NAME_p99_ms} of {@code values} (milliseconds) into {@code figures}. */
    static void percentiles(Map<String, Bench.Figure> figures, String name, double[] values, String meaning) {
        figures.put(name + "_p50_ms", new Bench.Figure(tenths(percentile(values, 50)), "ms", meaning));
        figures.put(name + "_p99_ms", new Bench.Figure(tenths(percentile(values, 99)), "ms", meaning));
    }

    /** The {@code percent}th percentile of {@code values} (nearest rank); 0 for none. */
    static double percentile(double[] values, int percent) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** {@code value} rounded to one decimal. */
    static double tenths(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** The 1-minute load average; 0 where there is none to read (not Linux). */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
