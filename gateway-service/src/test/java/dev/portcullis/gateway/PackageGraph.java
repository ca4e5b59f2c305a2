package dev.portcullis.gateway;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which packages under a root package use which others, read from compiled classes: every class
 * name in a class file's constant pool (references, field and method descriptors, generic
 * signatures) counts, so a fully qualified name in the code is seen as well as an import.
 */
final class PackageGraph {
    private final Map<String, Set<String>> uses;

    PackageGraph(Map<String, Set<String>> uses) {
        Map<String, Set<String>> copy = new TreeMap<>();
        uses.forEach((pkg, used) -> copy.put(pkg, Set.copyOf(used)));
        this.uses = Map.copyOf(copy);
    }

    /** The graph of the packages of {@code rootPackage} whose classes lie under {@code classes}. */
    static PackageGraph ofClasses(Path classes, String rootPackage) {
        String root = rootPackage.replace('.', '/');
        Pattern reference = Pattern.compile(Pattern.quote(root) + "((?:/[a-z][a-z0-9_]*)*)/[A-Z][A-Za-z0-9_$]*");
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes.resolve(root))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String pkg = (rootPackage + "." + classes.resolve(root).relativize(file.getParent())).replace('/', '.')
                        .replaceAll("\\.$", "");
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                for (String constant : utf8Constants(file)) {
                    Matcher matcher = reference.matcher(constant);
                    while (matcher.find()) {
                        String other = (rootPackage + matcher.group(1).replace('/', '.'));
                        if (!other.equals(pkg)) {
                            used.add(other);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PackageGraph(uses);
    }

    /** Every set of two or more packages that reach each other, each once; empty when the graph has no cycle. */
    Set<Set<String>> cycles() {
        Set<Set<String>> cycles = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        for (String pkg : uses.keySet()) {
            Set<String> reached = reachable(pkg);
            Set<String> cycle = new TreeSet<>();
            for (String other : reached) {
                if (!other.equals(pkg) && reachable(other).contains(pkg)) {
                    cycle.add(other);
                }
            }
            if (!cycle.isEmpty()) {
                cycle.add(pkg);
                cycles.add(cycle);
            }
        }
        return cycles;
    }

    private Set<String> reachable(String from) {
        Set<String> seen = new TreeSet<>();
        List<String> todo = new ArrayList<>(uses.getOrDefault(from, Set.of()));
        while (!todo.isEmpty()) {
            String next = todo.remove(todo.size() - 1);
            if (seen.add(next)) {
                todo.addAll(uses.getOrDefault(next, Set.of()));
            }
        }
        return seen;
    }

    /** The UTF-8 entries of a class file's constant pool (JVMS §4.4). */
    private static List<String> utf8Constants(Path file) throws IOException {
        List<String> constants = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            in.readInt(); // magic
            in.readUnsignedShort(); // minor version
            in.readUnsignedShort(); // major version
            int count = in.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> constants.add(in.readUTF());
                    case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                    case 15 -> in.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                    case 5, 6 -> {
                        in.skipBytes(8);
                        i++; // a long or double takes two entries
                    }
                    default -> throw new IOException(file + ": unknown constant pool tag " + tag);
                }
            }
        }
        return constants;
    }
}
