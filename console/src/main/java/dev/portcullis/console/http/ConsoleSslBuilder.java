package dev.portcullis.console.http;

import static java.util.Objects.requireNonNull;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.server.netty.ssl.CertificateProvidedSslBuilder;
import io.micronaut.http.server.netty.ssl.ServerSslBuilder;
import io.micronaut.http.ssl.ServerSslConfiguration;
import io.netty.handler.ssl.SslContext;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Gives Micronaut's server the console's TLS context instead of one built from key store files:
 * its key manager reads the current certificate at each handshake, so a rotated certificate is
 * served from the next connection on, without a restart.
 */
@Singleton
@Replaces(CertificateProvidedSslBuilder.class)
@Requires(property = ConsoleHttpServer.SERVING_PROPERTY, value = "true")
final class ConsoleSslBuilder implements ServerSslBuilder {
    private final ServerSslConfiguration configuration;
    private final ConsoleHttpServer server;

    ConsoleSslBuilder(ServerSslConfiguration configuration, ConsoleHttpServer server) {
        this.configuration = requireNonNull(configuration, "configuration is null");
        this.server = requireNonNull(server, "server is null");
    }

    @Override
    public ServerSslConfiguration getSslConfiguration() {
        return configuration;
    }

    @Override
    public Optional<SslContext> build() {
        return Optional.of(server.sslContext());
    }
}
