package dev.portcullis.console.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** The console's script and stylesheet, read once from the classpath and served as they are. */
public final class StaticAssets {
    private static final Map<String, String> TYPES = Map.of(
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    private StaticAssets() {}

    /** A route per file, {@code GET /static/NAME}, and an empty {@code /favicon.ico}, which browsers ask for by themselves. */
    public static List<Route> routes() {
        List<Route> routes = new java.util.ArrayList<>(TYPES.entrySet().stream().map(file -> {
            byte[] body = read(file.getKey());
            WebResponse response = new WebResponse(200, Map.of("Content-Type", file.getValue()), body);
            return Route.of("GET", "/static/" + file.getKey().replace(".", "\\."), (request, path) -> response);
        }).toList());
        routes.add(Route.of("GET", "/favicon\\.ico", (request, path) -> new WebResponse(204, Map.of(), new byte[0])));
        return routes;
    }

    private static byte[] read(String name) {
        try (InputStream in = StaticAssets.class.getResourceAsStream("/dev/portcullis/console/static/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from its jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
