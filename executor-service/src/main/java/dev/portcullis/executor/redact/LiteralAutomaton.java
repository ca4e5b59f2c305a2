package dev.portcullis.executor.redact;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Finds every occurrence of every literal form of every secret in a stream of lines, in one pass
 * and in time linear in the text whatever the number of literals, and reports where a credential
 * pattern's anchor may start. Built once per task; immutable and thread-safe afterwards.
 *
 * <p><b>Filter, then automaton.</b> Every literal is at least {@value Redactor#MIN_SECRET_LENGTH}
 * characters long, so an occurrence that starts anywhere in {@code [q - 3, q]} covers the four
 * characters at {@code q}, at its offset 0, 1, 2 or 3. The filter therefore reads the line four
 * characters at a time (one int load of their low bytes) and tests them against a hashed bitmap of
 * every literal's four characters at those offsets: a miss rules out four starts at once, which is
 * what makes redaction cheap next to the rest of log streaming. On a hit an Aho-Corasick automaton
 * reads from {@code q - 3} until nothing longer than three characters is in progress and what is
 * starts past {@code q}; the filter then resumes at a position that covers that start. The last
 * few positions of a line, which have no four characters left, are read by the automaton. The
 * same loop tests each even pair of characters against the anchors' pairs (every anchor is at least
 * three characters long, or registered with every character that may follow it), then the exact
 * first two.
 *
 * <p><b>The automaton.</b> States are numbered breadth-first. The first {@link #denseStates} carry
 * a full transition row over the character classes, failure links folded in; deeper states, the
 * long single-child chains of long literals, keep only their own children and fall back along
 * failure links. That bounds the memory of a large set of secrets (a PEM key, its encodings, its
 * lines) and keeps every step amortised constant: no text, however crafted, makes a scan slower
 * than linear.
 *
 * <p><b>Lines.</b> The stream's lines are read as one text with nothing between them: the state
 * returned for a line carries into the next, and its {@link #pendingLength} says how much of the
 * line's tail is the beginning of some literal, which is what a line must be held back for.
 */
final class LiteralAutomaton {
    static final int ROOT = 0;

    /** Bound of the dense table, in entries; the rest of the states use their sparse children. */
    private static final int DENSE_BUDGET = 1 << 20;
    /** The filters' characters: the shortest literal is longer. */
    private static final int GRAM = 4;
    /** Four bytes as one int, little-endian: byte 0 in the low bits. */
    private static final VarHandle FOUR = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Character class of each UTF-16 unit: 0 for a character in no literal, else 1.. */
    private final char[] classOf;
    private final int classes;
    private final int denseStates;
    /** Full transitions of the dense states, {@code classes} entries per state. */
    private final int[] dense;
    private final int[] fail;
    private final int[] childStart;
    private final char[] childChar;
    private final int[] childTarget;
    /** The longest literal that ends in this state (0 if none), and whose it is. */
    private final int[] matchLength;
    private final int[] matchKind;
    /** How many of the characters read last are the beginning of some literal, and whose it is. */
    private final int[] pendingLength;
    private final int[] pendingKind;
    /** Bit {@code hash(four characters)} of every literal's characters at offsets 0 to 3, 1 to 4, 2 to 5, 3 to 6. */
    private final long[] literalGrams;
    private final int literalShift;
    /** Bit {@code hash(length * first one, two or three characters)} of every literal, little-endian low bytes. */
    private final long[] literalPrefixes;
    /** Bit {@code two characters} of every anchor's characters at offsets 0 to 1 and 1 to 2. */
    private final long[] anchorGrams;
    /** Bit {@code two characters} of every anchor's first two. */
    private final long[] anchorStarts;
    /** Bit {@code two characters} of every two-character anchor. */
    private final long[] anchorsOfTwo;
    /**
     * Bit {@code hash(3 * three characters)} of every three-character anchor and
     * {@code hash(4 * first four characters)} of every longer one, little-endian low bytes.
     */
    private final long[] anchorPrefixes;

    private LiteralAutomaton(Builder trie) {
        int states = trie.size;
        classOf = new char[Character.MAX_VALUE + 1];
        int classCount = 1;
        for (int node = 1; node < states; node++) {
            char c = trie.label[node];
            if (classOf[c] == 0) {
                classOf[c] = (char) classCount++;
            }
        }
        classes = classCount;
        denseStates = Math.max(1, Math.min(states, DENSE_BUDGET / classes));

        // breadth-first renumbering: a state's failure target is always numbered lower
        int[] order = new int[states];
        int[] renumbered = new int[states];
        int tail = 1;
        for (int head = 0; head < tail; head++) {
            renumbered[order[head]] = head;
            for (int child = trie.firstChild[order[head]]; child >= 0; child = trie.nextSibling[child]) {
                order[tail++] = child;
            }
        }

        childStart = new int[states + 1];
        childChar = new char[states - 1];
        childTarget = new int[states - 1];
        int[] depth = new int[states];
        int edge = 0;
        for (int state = 0; state < states; state++) {
            childStart[state] = edge;
            for (int child = trie.firstChild[order[state]]; child >= 0; child = trie.nextSibling[child]) {
                childChar[edge] = trie.label[child];
                childTarget[edge] = renumbered[child];
                depth[renumbered[child]] = depth[state] + 1;
                edge++;
            }
        }
        childStart[states] = edge;

        fail = new int[states];
        dense = new int[denseStates * classes];
        matchLength = new int[states];
        matchKind = new int[states];
        pendingLength = depth;
        pendingKind = new int[states];
        for (int state = 0; state < states; state++) {
            int old = order[state];
            int failure = fail[state];
            pendingKind[state] = trie.prefixKind[old];
            if (trie.kind[old] >= 0) {
                matchLength[state] = depth[state];
                matchKind[state] = trie.kind[old];
            } else if (state != ROOT) {
                matchLength[state] = matchLength[failure];
                matchKind[state] = matchKind[failure];
            }
            if (state < denseStates) {
                int row = state * classes;
                if (state != ROOT) {
                    System.arraycopy(dense, failure * classes, dense, row, classes);
                }
                for (int e = childStart[state]; e < childStart[state + 1]; e++) {
                    dense[row + classOf[childChar[e]]] = childTarget[e];
                }
            }
            for (int e = childStart[state]; e < childStart[state + 1]; e++) {
                fail[childTarget[e]] = state == ROOT ? ROOT : step(failure, childChar[e]);
            }
        }

        int bits = Integer.highestOneBit(Math.max(1, trie.gramCount) * 64 - 1) << 1;
        bits = Math.max(1 << 16, Math.min(1 << 22, bits));
        literalShift = Integer.SIZE - Integer.numberOfTrailingZeros(bits);
        literalGrams = new long[bits / Long.SIZE];
        for (int i = 0; i < trie.gramCount; i++) {
            int bit = (trie.grams[i] * 0x9E3779B1) >>> literalShift;
            literalGrams[bit >>> 6] |= 1L << bit;
        }
        literalPrefixes = trie.literalPrefixes.clone();
        anchorGrams = trie.anchorGrams.clone();
        anchorStarts = trie.anchorStarts.clone();
        anchorsOfTwo = trie.anchorsOfTwo.clone();
        anchorPrefixes = trie.anchorPrefixes.clone();
    }

    static Builder builder() {
        return new Builder();
    }

    /** The state after reading {@code c} in {@code state}. */
    int step(int state, char c) {
        int cls = classOf[c];
        if (state < denseStates) {
            return dense[state * classes + cls];
        }
        if (cls == 0) {
            return ROOT;
        }
        int s = state;
        do {
            for (int e = childStart[s]; e < childStart[s + 1]; e++) {
                if (childChar[e] == c) {
                    return childTarget[e];
                }
            }
            s = fail[s];
        } while (s >= denseStates);
        return dense[s * classes + cls];
    }

    /** Receives what a scan finds, as it finds it; the same occurrence may be reported twice. */
    interface Hits {
        /** A literal ends at {@code index} (the last character read); {@code state}: the state after it. */
        void literal(int index, int state);

        /** An anchor may start at {@code start}. */
        void anchor(int start);
    }

    /**
     * Reads a line from {@code state}, the state after the previous line ({@link #ROOT} for the
     * first); returns the state after it.
     *
     * @param line the line
     * @param low the low 8 bits of each of its characters, {@code n} of them: the filters read
     *     these, four at a time, while the automaton reads {@code line}
     */
    int scan(String line, byte[] low, int n, int state, Hits hits) {
        long[] literalGrams = this.literalGrams;
        long[] anchorGrams = this.anchorGrams;
        int shift = literalShift;
        Cursor cursor = new Cursor(state);
        if (state != ROOT) {
            follow(line, n, cursor, -GRAM, hits); // what the previous line left in progress
        }
        // copies of the cursor's fields that the loop reads, refreshed after each follow
        boolean following = cursor.following;
        int nextTest = cursor.nextTest;
        int q = 0;
        for (; q + GRAM <= n; q += GRAM) {
            int four = (int) FOUR.get(low, q);
            int first = four & 0xffff;
            int second = four >>> 16;
            if ((((anchorGrams[first >>> 6] >>> first) | (anchorGrams[second >>> 6] >>> second)) & 1L) != 0) {
                anchorsAround(low, q, n, hits);
                anchorsAround(low, q + 2, n, hits);
            }
            if (following || q < nextTest) {
                continue;
            }
            int bit = (four * 0x9E3779B1) >>> shift;
            if (((literalGrams[bit >>> 6] >>> bit) & 1L) != 0) {
                // a literal may start in [q - 3, q]: the automaton reads from there, at least through q
                cursor.state = ROOT;
                cursor.read = Math.max(0, q - (GRAM - 1));
                follow(line, n, cursor, q, hits);
                following = cursor.following;
                nextTest = cursor.nextTest;
            } else {
                cursor.covered = q + 1;
            }
        }
        if (q + 1 < n && (((anchorGrams[((low[q] & 0xff) | (low[q + 1] & 0xff) << 8) >>> 6]
                >>> ((low[q] & 0xff) | (low[q + 1] & 0xff) << 8)) & 1L) != 0)) {
            anchorsAround(low, q, n, hits);
        }
        if (following) {
            return cursor.state;
        }
        // the last starts have no four characters in this line: the automaton reads them, after
        // one more (unaligned) filter test that rules out [n - 7, n - 4]; every start before
        // n - 6 is covered by now, since the last word tested or followed starts at n - 7 or later
        int from = cursor.covered;
        if (n >= GRAM && !literalMayStart(low, n - GRAM)) {
            from = Math.max(from, n - (GRAM - 1));
            if (!endMayBeginLiteral(low, from, n)) {
                return ROOT; // the usual case, without a step of the automaton
            }
        }
        int s = ROOT;
        for (int k = from; k < n; k++) {
            s = step(s, line.charAt(k));
            if (matchLength[s] != 0) {
                hits.literal(k, s);
            }
        }
        return s;
    }

    /** Where a scan is: the automaton's state and how far it has read, and what the filter has ruled out. */
    private static final class Cursor {
        int state;
        int read;
        boolean following;
        /** Every literal start before this is ruled out or already followed. */
        int covered;
        /** The first position the filter tests next. */
        int nextTest;

        Cursor(int state) {
            this.state = state;
            this.following = state != ROOT;
        }
    }

    /**
     * Runs the automaton from {@code cursor} until nothing longer than three characters is in
     * progress and what is starts in this line after {@code tested} (the filter's last test, which
     * covered starts up to it), or to the end of the line.
     */
    private void follow(String line, int n, Cursor cursor, int tested, Hits hits) {
        int s = cursor.state;
        int read = cursor.read;
        cursor.following = true;
        while (read < n) {
            s = step(s, line.charAt(read));
            if (matchLength[s] != 0) {
                hits.literal(read, s);
            }
            read++;
            int pending = pendingLength[s];
            if (pending <= GRAM - 1 && read - pending > tested && read >= pending) {
                // hand back to the filter: its next test must cover the start in progress
                cursor.following = false;
                cursor.covered = read - pending;
                cursor.nextTest = Math.max(tested + GRAM, (read - pending + GRAM - 1) & -GRAM);
                break;
            }
        }
        cursor.state = s;
        cursor.read = read;
    }

    /** Whether one of the last one to three characters, from {@code from} on, may begin some literal. */
    private boolean endMayBeginLiteral(byte[] low, int from, int n) {
        int gram = 0;
        for (int k = n - 1; k >= from; k--) {
            gram = gram << 8 | (low[k] & 0xff);
            int bit = ((gram * (n - k)) * 0x9E3779B1) >>> 16;
            if (((literalPrefixes[bit >>> 6] >>> bit) & 1L) != 0) {
                return true;
            }
        }
        return false;
    }

    private boolean literalMayStart(byte[] low, int start) {
        int bit = ((int) FOUR.get(low, start) * 0x9E3779B1) >>> literalShift;
        return ((literalGrams[bit >>> 6] >>> bit) & 1L) != 0;
    }

    /** Reports an anchor start at {@code q - 1} or {@code q} where the characters there begin one. */
    private void anchorsAround(byte[] low, int q, int n, Hits hits) {
        if (q > 0 && anchorAt(low, q - 1, n)) {
            hits.anchor(q - 1);
        }
        if (anchorAt(low, q, n)) {
            hits.anchor(q);
        }
    }

    /**
     * Whether the characters at {@code start} may be an anchor's first two, three or four (all of
     * it up to four): exact for two, hashed beyond, so a rare false report is possible.
     */
    private boolean anchorAt(byte[] low, int start, int n) {
        int two = (low[start] & 0xff) | (low[start + 1] & 0xff) << 8;
        if (((anchorStarts[two >>> 6] >>> two) & 1L) == 0) {
            return false;
        }
        if (((anchorsOfTwo[two >>> 6] >>> two) & 1L) != 0 || start + 2 >= n) {
            return true;
        }
        int three = two | (low[start + 2] & 0xff) << 16;
        if (isSet(anchorPrefixes, three * 3)) {
            return true;
        }
        return start + 3 < n && isSet(anchorPrefixes, (three | (low[start + 3] & 0xff) << 24) * 4);
    }

    /** Bit {@code hash(key)} of a 4096-bit set. */
    private static boolean isSet(long[] bits, int key) {
        int bit = (key * 0x9E3779B1) >>> 20;
        return ((bits[bit >>> 6] >>> bit) & 1L) != 0;
    }

    /** The filters' 8 bits of a character: its low 8 bits, as {@link LineStream} hands them over. */
    private static int low(char c) {
        return c & 0xff;
    }

    /**
     * How many of the characters read last are the beginning of some literal: an occurrence of a
     * literal that is not complete yet started no earlier than that many characters back.
     */
    int pendingLength(int state) {
        return pendingLength[state];
    }

    /** The kind of a literal whose beginning {@link #pendingLength} counts. */
    int pendingKind(int state) {
        return pendingKind[state];
    }

    int matchLength(int state) {
        return matchLength[state];
    }

    int matchKind(int state) {
        return matchKind[state];
    }

    /** A trie under construction; its states are numbered in insertion order. */
    static final class Builder {
        private int size = 1;
        private char[] label = new char[64];
        private int[] firstChild = filled(64);
        private int[] nextSibling = filled(64);
        private int[] kind = filled(64);
        private int[] prefixKind = new int[64];
        private final int[] rootChild = filled(Character.MAX_VALUE + 1);
        private int[] grams = new int[64];
        private int gramCount;
        private final long[] literalPrefixes = new long[(1 << 16) / Long.SIZE];
        private final long[] anchorGrams = new long[(1 << 16) / Long.SIZE];
        private final long[] anchorStarts = new long[(1 << 16) / Long.SIZE];
        private final long[] anchorsOfTwo = new long[(1 << 16) / Long.SIZE];
        private final long[] anchorPrefixes = new long[(1 << 12) / Long.SIZE];

        private Builder() {}

        /**
         * Adds a literal to mask, at least {@value Redactor#MIN_SECRET_LENGTH} characters long; the
         * first literal added for a string keeps its kind.
         */
        Builder literal(String literal, int literalKind) {
            if (literal.length() < Redactor.MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("literal shorter than " + Redactor.MIN_SECRET_LENGTH);
            }
            int node = 0;
            for (int i = 0; i < literal.length(); i++) {
                char c = literal.charAt(i);
                int child = node == 0 ? rootChild[c] : find(node, c);
                if (child < 0) {
                    child = add(c, literalKind);
                    if (node == 0) {
                        rootChild[c] = child;
                    }
                    nextSibling[child] = firstChild[node];
                    firstChild[node] = child;
                }
                node = child;
            }
            if (kind[node] < 0) {
                kind[node] = literalKind;
            }
            int prefix = 0;
            for (int length = 1; length < GRAM; length++) {
                prefix |= low(literal.charAt(length - 1)) << (8 * (length - 1));
                int bit = ((prefix * length) * 0x9E3779B1) >>> 16;
                literalPrefixes[bit >>> 6] |= 1L << bit;
            }
            // a literal of 7 or more characters holds, at offset 0 to 3, the four characters
            // at any position q that the filter tests with q - 3 <= start <= q
            for (int offset = 0; offset < GRAM; offset++) {
                int gram = 0;
                for (int i = offset + GRAM - 1; i >= offset; i--) {
                    gram = (gram << 8) | low(literal.charAt(i));
                }
                if (gramCount == grams.length) {
                    grams = Arrays.copyOf(grams, gramCount * 2);
                }
                grams[gramCount++] = gram;
            }
            return this;
        }

        /** Adds an anchor of at least two characters: scans report every position where it may start. */
        Builder anchor(String anchor) {
            int start = low(anchor.charAt(0)) | low(anchor.charAt(1)) << 8;
            anchorStarts[start >>> 6] |= 1L << start;
            if (anchor.length() == 2) {
                anchorsOfTwo[start >>> 6] |= 1L << start;
            } else {
                int length = Math.min(4, anchor.length());
                int prefix = 0;
                for (int k = 0; k < length; k++) {
                    prefix |= low(anchor.charAt(k)) << (8 * k);
                }
                int bit = (prefix * length * 0x9E3779B1) >>> 20;
                anchorPrefixes[bit >>> 6] |= 1L << bit;
            }
            mark(start);
            if (anchor.length() > 2) {
                mark(low(anchor.charAt(1)) | low(anchor.charAt(2)) << 8);
            } else {
                for (int next = 0; next < 256; next++) {
                    mark(low(anchor.charAt(1)) | next << 8);
                }
            }
            return this;
        }

        private void mark(int gram) {
            anchorGrams[gram >>> 6] |= 1L << gram;
        }

        LiteralAutomaton build() {
            return new LiteralAutomaton(this);
        }

        private int find(int node, char c) {
            for (int child = firstChild[node]; child >= 0; child = nextSibling[child]) {
                if (label[child] == c) {
                    return child;
                }
            }
            return -1;
        }

        private int add(char c, int literalKind) {
            if (size == label.length) {
                int capacity = size * 2;
                label = Arrays.copyOf(label, capacity);
                firstChild = grow(firstChild, capacity);
                nextSibling = grow(nextSibling, capacity);
                kind = grow(kind, capacity);
                prefixKind = Arrays.copyOf(prefixKind, capacity);
            }
            label[size] = c;
            prefixKind[size] = literalKind;
            return size++;
        }

        private static int[] filled(int length) {
            int[] array = new int[length];
            Arrays.fill(array, -1);
            return array;
        }

        private static int[] grow(int[] array, int capacity) {
            int[] grown = Arrays.copyOf(array, capacity);
            Arrays.fill(grown, array.length, capacity, -1);
            return grown;
        }
    }
}
