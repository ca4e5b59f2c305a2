package dev.portcullis.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The architecture rule that a module's packages depend on each other without cycles, so that
 * each capability can be read, tested and moved on its own. Works on compiled classes: every
 * type a class file names in its constant pool (classes, field and method descriptors, generic
 * signatures, annotations) is a dependency of the class's package. Only packages of the module
 * itself count; a package depending on itself is no cycle.
 */
public final class PackageCycles {
    private static final Pattern TYPE_IN_DESCRIPTOR = Pattern.compile("L([\\w/$]+)[;<]");

    private PackageCycles() {}

    /** Fails naming every cycle among the packages of the class files under {@code classes}. */
    public static void assertNone(Path classes) {
        Map<String, Set<String>> dependencies = dependencies(classes);
        assertFalse(dependencies.isEmpty(), "no class files under " + classes + "; is the module compiled?");
        assertEquals(List.of(), cycles(dependencies), "packages that depend on each other in a cycle");
    }

    /** Each package of the class files under {@code classes}, with the other packages of theirs it uses. */
    public static Map<String, Set<String>> dependencies(Path classes) {
        Map<String, Set<String>> uses = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(file -> file.toString().endsWith(".class")
                    && !file.getFileName().toString().equals("module-info.class")
                    && !file.getFileName().toString().equals("package-info.class")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : files) {
            String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
            uses.computeIfAbsent(packageOf(name), p -> new TreeSet<>());
        }
        for (Path file : files) {
            String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
            String from = packageOf(name);
            for (String type : referencedTypes(file)) {
                String to = packageOf(type);
                if (!to.equals(from) && uses.containsKey(to)) {
                    uses.get(from).add(to);
                }
            }
        }
        return uses;
    }

    /** The cycles among {@code dependencies}: each a sorted list of the packages that reach each other. */
    public static List<List<String>> cycles(Map<String, Set<String>> dependencies) {
        return new Tarjan(dependencies).components().stream().filter(component -> component.size() > 1)
                .map(component -> component.stream().sorted().toList()).sorted((a, b) -> a.get(0).compareTo(b.get(0)))
                .toList();
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
    }

    /** The internal names of the types a class file's constant pool names. */
    static Set<String> referencedTypes(Path classFile) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(classFile)))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException("not a class file: " + classFile);
            }
            in.readUnsignedShort(); // minor version
            in.readUnsignedShort(); // major version
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            Set<Integer> classNames = new HashSet<>();
            Set<Integer> stringLiterals = new HashSet<>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7 -> classNames.add(in.readUnsignedShort());
                    case 8 -> stringLiterals.add(in.readUnsignedShort());
                    case 16, 19, 20 -> in.readUnsignedShort();
                    case 15 -> in.skipNBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                    case 5, 6 -> {
                        in.skipNBytes(8);
                        i++; // takes two entries
                    }
                    default -> throw new IOException("unknown constant pool tag " + tag + " in " + classFile);
                }
            }
            Set<String> types = new HashSet<>();
            for (int i = 1; i < count; i++) {
                if (utf8[i] == null || stringLiterals.contains(i)) {
                    continue; // a string literal is text, not a reference
                }
                if (classNames.contains(i) && !utf8[i].startsWith("[")) {
                    types.add(utf8[i]);
                }
                Matcher descriptor = TYPE_IN_DESCRIPTOR.matcher(utf8[i]);
                while (descriptor.find()) {
                    types.add(descriptor.group(1));
                }
            }
            return types;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tarjan's strongly connected components, iterative so that deep graphs do not overflow the stack. */
    private static final class Tarjan {
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> lowLink = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new HashSet<>();
        private final List<List<String>> components = new ArrayList<>();
        private int next;

        Tarjan(Map<String, Set<String>> graph) {
            this.graph = graph;
        }

        List<List<String>> components() {
            for (String node : graph.keySet()) {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            }
            return components;
        }

        private void visit(String root) {
            Deque<Map.Entry<String, Iterator<String>>> work = new ArrayDeque<>();
            enter(root, work);
            while (!work.isEmpty()) {
                Map.Entry<String, Iterator<String>> top = work.peek();
                String node = top.getKey();
                if (top.getValue().hasNext()) {
                    String successor = top.getValue().next();
                    if (!index.containsKey(successor)) {
                        enter(successor, work);
                    } else if (onStack.contains(successor)) {
                        lowLink.put(node, Math.min(lowLink.get(node), index.get(successor)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = work.peek().getKey();
                    lowLink.put(parent, Math.min(lowLink.get(parent), lowLink.get(node)));
                }
                if (lowLink.get(node).equals(index.get(node))) {
                    List<String> component = new ArrayList<>();
                    String member;
                    do {
                        member = stack.pop();
                        onStack.remove(member);
                        component.add(member);
                    } while (!member.equals(node));
                    components.add(component);
                }
            }
        }

        private void enter(String node, Deque<Map.Entry<String, Iterator<String>>> work) {
            index.put(node, next);
            lowLink.put(node, next);
            next++;
            stack.push(node);
            onStack.add(node);
            work.push(Map.entry(node, graph.getOrDefault(node, Set.of()).iterator()));
        }
    }
}
