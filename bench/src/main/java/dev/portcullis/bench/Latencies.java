package dev.portcullis.bench;

import java.util.Arrays;

/** Sequential call timings and their percentiles. Stores primitives, so measuring allocates nothing. */
final class Latencies {
    private long[] nanos = new long[1024];
    private int size;

    /** Times {@code calls} sequential runs of {@code call}. */
    void measure(int calls, Runnable call) {
        if (size + calls > nanos.length) {
            nanos = Arrays.copyOf(nanos, Math.max(nanos.length * 2, size + calls));
        }
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            call.run();
            nanos[size++] = System.nanoTime() - start;
        }
    }

    /** Adds one timing measured elsewhere. */
    void record(long elapsedNanos) {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, nanos.length * 2);
        }
        nanos[size++] = elapsedNanos;
    }

    int size() {
        return size;
    }

    /** The {@code percent}th percentile in microseconds (nearest rank). */
    double percentileMicros(int percent) {
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
    }
}
