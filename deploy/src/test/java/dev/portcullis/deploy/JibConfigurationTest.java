package dev.portcullis.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Every service's image is configured for Jib: the parent's shared settings (a base pinned by
 * digest, a non-root user, OCI labels) plus the service's own entrypoint, never bound to a
 * lifecycle phase (no registry is reachable from the build). Maven merges the two
 * configurations; this test reads both the way Maven does for these plain elements.
 */
class JibConfigurationTest {
    private static final String JIB = "jib-maven-plugin";

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "policy", "executor", "audit", "console"})
    void baseImageIsPinnedByDigest(String service) throws Exception {
        String base = text(parentJib(), "configuration", "from", "image")
                .or(() -> text(serviceJib(service), "configuration", "from", "image")).orElseThrow();

        assertTrue(base.matches("[a-z0-9./-]+(:[A-Za-z0-9._-]+)?@sha256:[0-9a-f]{64}"), base);
        assertFalse(base.endsWith("0".repeat(64)), "placeholder digest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "policy", "executor", "audit", "console"})
    void imageRunsAsANonRootUser(String service) throws Exception {
        String user = text(serviceJib(service), "configuration", "container", "user")
                .or(() -> text(parentJib(), "configuration", "container", "user")).orElseThrow();

        String uid = user.split(":")[0];
        assertTrue(uid.matches("[0-9]+") && Integer.parseInt(uid) > 0, "user " + user + " is root or not numeric");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "policy", "executor", "audit", "console"})
    void entrypointStartsTheServicesMainClass(String service) throws Exception {
        List<String> entrypoint = children(element(serviceJib(service), "configuration", "container", "entrypoint").orElseThrow());
        String mainClass = entrypoint.get(entrypoint.size() - 1);

        assertEquals("java", entrypoint.get(0));
        assertEquals(List.of("-cp", "@/app/jib-classpath-file"),
                entrypoint.subList(entrypoint.indexOf("-cp"), entrypoint.indexOf("-cp") + 2));
        assertTrue(mainClass.startsWith("dev.portcullis." + service + ".server."), mainClass);
        Path source = Path.of("..", module(service), "src", "main", "java", mainClass.replace('.', '/') + ".java");
        assertTrue(Files.isRegularFile(source), "no main class " + source);
        assertTrue(Files.readString(source).contains("public static void main("), source + " has no main method");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "policy", "executor", "audit", "console"})
    void imageCarriesSourceAndRevisionLabels(String service) throws Exception {
        for (String label : List.of("org.opencontainers.image.source", "org.opencontainers.image.revision")) {
            Optional<String> value = text(serviceJib(service), "configuration", "container", "labels", label)
                    .or(() -> text(parentJib(), "configuration", "container", "labels", label));
            assertTrue(value.isPresent() && !value.get().isBlank(), label);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "policy", "executor", "audit", "console"})
    void jibIsBoundToNoLifecyclePhase(String service) throws Exception {
        assertTrue(element(serviceJib(service), "executions").isEmpty(), service + " binds jib to a phase");
        assertTrue(element(parentJib(), "executions").isEmpty(), "the parent binds jib to a phase");
        assertTrue(text(parentJib(), "version").orElseThrow().startsWith("${"), "the parent names jib's version once");
    }

    /** The Maven module of an image: {@code gateway-service}, …, and {@code console}. */
    private static String module(String service) {
        return service.equals("console") ? "console" : service + "-service";
    }

    private static Element parentJib() {
        Element pluginManagement = element(pom(Path.of("..", "pom.xml")).getDocumentElement(), "build", "pluginManagement", "plugins")
                .orElseThrow();
        return plugin(pluginManagement).orElseThrow(() -> new AssertionError("no jib in the parent's pluginManagement"));
    }

    private static Element serviceJib(String service) {
        Element plugins = element(pom(Path.of("..", module(service), "pom.xml")).getDocumentElement(), "build", "plugins")
                .orElseThrow();
        return plugin(plugins).orElseThrow(() -> new AssertionError(service + " declares no jib plugin"));
    }

    private static Optional<Element> plugin(Element plugins) {
        for (Node node = plugins.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element plugin && text(plugin, "artifactId").filter(JIB::equals).isPresent()) {
                return Optional.of(plugin);
            }
        }
        return Optional.empty();
    }

    private static Document pom(Path file) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(file.toFile());
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("cannot parse " + file, e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Optional<Element> element(Element from, String... path) {
        Element current = from;
        for (String name : path) {
            Element next = null;
            for (Node node = current.getFirstChild(); node != null && next == null; node = node.getNextSibling()) {
                if (node instanceof Element child && child.getTagName().equals(name)) {
                    next = child;
                }
            }
            if (next == null) {
                return Optional.empty();
            }
            current = next;
        }
        return Optional.of(current);
    }

    private static Optional<String> text(Element from, String... path) {
        return element(from, path).map(e -> e.getTextContent().strip());
    }

    private static List<String> children(Element parent) {
        List<String> values = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child) {
                values.add(child.getTextContent().strip());
            }
        }
        return values;
    }
}
