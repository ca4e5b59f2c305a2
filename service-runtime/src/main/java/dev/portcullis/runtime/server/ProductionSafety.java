package dev.portcullis.runtime.server;

import dev.portcullis.runtime.identity.CertificateIdentity;
import dev.portcullis.runtime.identity.InvalidIdentityException;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.transport.TlsConfig;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secure defaults: a service started on its own (its main class, i.e. production) refuses to run
 * with development material or settings — the dev CA or dev certificates, an embedded H2
 * database, a private key readable by others, or no role mapping. Every problem found is named
 * with the setting to change. Dev mode ({@code portcullis dev}) and tests do not come here. Public
 * for {@link #tlsProblems} and {@link #trustsDevCa}: the web console, which keeps no roles or
 * database, checks its TLS material and its identity provider's CA with them.
 */
public final class ProductionSafety {
    private static final Set<PosixFilePermission> TOO_OPEN = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
    /** The database setting of each service that keeps one, and what it must not be. */
    private static final Map<String, String> DATABASE_KEYS = Map.of(
            "audit", "portcullis.audit.jdbc-url",
            "gateway", "portcullis.gateway.store.jdbc-url");

    private ProductionSafety() {}

    /** @throws IllegalStateException listing every problem, each naming its setting */
    static void check(String service, ApplicationContext context) {
        List<String> problems = problems(service, context.getBean(TlsConfig.class), context.getBean(RoleMapping.class),
                context.getProperty(DATABASE_KEYS.getOrDefault(service, "portcullis.none"), String.class).orElse(""));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start outside dev mode: " + String.join("; ", problems)
                    + " (for development use `portcullis dev`)");
        }
    }

    static List<String> problems(String service, TlsConfig tls, RoleMapping roles, String jdbcUrl) {
        List<String> problems = new ArrayList<>();
        problems.addAll(tlsProblems(tls));
        if (roles.isEmpty()) {
            problems.add("portcullis.roles.* maps no identity to any role: set at least the roles this service's callers need");
        }
        String databaseKey = DATABASE_KEYS.get(service);
        if (databaseKey != null && (jdbcUrl.isBlank() || jdbcUrl.startsWith("jdbc:h2:"))) {
            problems.add(databaseKey + " is " + (jdbcUrl.isBlank() ? "unset (embedded H2)" : "an H2 database")
                    + ": production keeps " + service + " data in PostgreSQL (jdbc:postgresql://…)");
        }
        return problems;
    }

    /**
     * The problems of TLS material {@code tls} outside dev mode: unset files, the dev CA trusted, a
     * dev certificate, a key others may read; each names its {@code portcullis.tls.*} setting.
     */
    public static List<String> tlsProblems(TlsConfig tls) {
        List<String> problems = new ArrayList<>();
        if (tls.certFile() == null || tls.keyFile() == null || tls.caFile() == null) {
            problems.add("portcullis.tls.cert-file, key-file and ca-file must be set: Portcullis never runs without mTLS");
            return problems;
        }
        if (trustsDevCa(tls.caFile())) {
            problems.add("portcullis.tls.ca-file trusts the Portcullis dev CA: use your organisation's CA");
        }
        for (X509Certificate certificate : certificates(tls.certFile())) {
            if (isDevIdentity(certificate)) {
                problems.add("portcullis.tls.cert-file is a dev certificate (trust domain " + DevPki.TRUST_DOMAIN
                        + "): issue a production certificate");
                break;
            }
        }
        keyPermissions(tls.keyFile()).ifPresent(problems::add);
        return problems;
    }

    /** Whether PEM bundle {@code caFile} holds the Portcullis dev CA ({@code portcullis dev}, {@code portcullis pki init}). */
    public static boolean trustsDevCa(Path caFile) {
        return certificates(caFile).stream()
                .anyMatch(certificate -> certificate.getSubjectX500Principal().getName().contains("CN=Portcullis dev CA"));
    }

    private static boolean isDevIdentity(X509Certificate certificate) {
        try {
            return CertificateIdentity.of(certificate).trustDomain().equals(DevPki.TRUST_DOMAIN);
        } catch (InvalidIdentityException e) {
            return false; // not a SPIFFE certificate: the transport refuses it on its own terms
        }
    }

    private static java.util.Optional<String> keyPermissions(Path keyFile) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
            permissions.retainAll(TOO_OPEN);
            if (!permissions.isEmpty()) {
                return java.util.Optional.of("portcullis.tls.key-file " + keyFile + " may be read by other users: chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX permissions here (or unreadable): the TLS loader reports an unreadable key itself
        }
        return java.util.Optional.empty();
    }

    private static List<X509Certificate> certificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            return all.stream().filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
        } catch (IOException | CertificateException e) {
            return List.of(); // the TLS loader names an unreadable or malformed file itself
        }
    }
}
