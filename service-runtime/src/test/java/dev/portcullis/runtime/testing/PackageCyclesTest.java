package dev.portcullis.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

class PackageCyclesTest {
    @TempDir
    Path dir;

    @Test
    void packagesThatReachEachOtherThroughAnyReferenceAreACycle() throws Exception {
        Path classes = compile(Map.of(
                "x/a/A.java", "package x.a; public class A { public java.util.List<x.b.B> bs() { return null; } }",
                "x/b/B.java", "package x.b; public class B { public void use() { new x.c.C(); } }",
                "x/c/C.java", "package x.c; public class C { public C() {} x.a.A a; }",
                "x/d/D.java", "package x.d; public class D { x.a.A a; String text = \"Lx/d/D;\"; }"));

        List<List<String>> cycles = PackageCycles.cycles(PackageCycles.dependencies(classes));

        assertEquals(List.of(List.of("x.a", "x.b", "x.c")), cycles);
        assertThrows(AssertionFailedError.class, () -> PackageCycles.assertNone(classes));
    }

    @Test
    void layeredPackagesPassAndSelfReferencesAreNoCycle() throws Exception {
        Path classes = compile(Map.of(
                "y/a/A.java", "package y.a; public class A { A next; y.b.B b; }",
                "y/b/B.java", "package y.b; public class B { @Deprecated java.util.Map<String, y.c.C> cs; }",
                "y/c/C.java", "package y.c; public class C { static final String NAME = \"Ly/a/A;\"; }"));

        PackageCycles.assertNone(classes);
        assertEquals(Map.of("y.a", Set.of("y.b"), "y.b", Set.of("y.c"), "y.c", Set.of()), PackageCycles.dependencies(classes));
    }

    private Path compile(Map<String, String> sources) throws Exception {
        Path src = dir.resolve("src");
        Path out = Files.createDirectories(dir.resolve("classes"));
        List<String> arguments = new ArrayList<>(List.of("-d", out.toString()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, arguments.toArray(String[]::new)), "the test sources compile");
        return out;
    }
}
