package dev.portcullis.runtime.pki;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The development PKI in one directory: a CA ({@code ca.pem}, {@code ca.key}) and, per member,
 * {@code NAME.pem} and {@code NAME.key}, all in trust domain {@value #TRUST_DOMAIN}. Service
 * certificates name {@code localhost}, {@code 127.0.0.1} and {@code ::1}, so ordinary host-name
 * verification works on loopback. For development only: the CA key sits next to the certificates.
 */
public final class DevPki {
    /** Trust domain of every dev identity. */
    public static final String TRUST_DOMAIN = "portcullis.dev";
    /** Lifetime of the dev CA. */
    public static final Duration CA_VALIDITY = Duration.ofDays(7);
    /** Lifetime of dev leaf certificates. */
    public static final Duration LEAF_VALIDITY = Duration.ofHours(24);
    private static final Duration RENEW_LEAF_BEFORE = Duration.ofHours(8);
    private static final Duration RENEW_CA_BEFORE = Duration.ofDays(2);
    private static final List<String> LOOPBACK_DNS = List.of("localhost");
    private static final List<String> LOOPBACK_IPS = List.of("127.0.0.1", "::1");

    /** The identities the dev PKI issues. */
    public enum Member {
        GATEWAY("gateway", "service/gateway", true),
        POLICY("policy", "service/policy", true),
        EXECUTOR("executor", "service/executor", true),
        AUDIT("audit", "service/audit", true),
        /** The web console (issue 23): a server for browsers, and the delegate the gateway and audit service trust. */
        CONSOLE("console", "console", true),
        CI("ci", "ci/dev/example", false),
        APPROVER("approver", "human/approver", false),
        AUDITOR("auditor", "human/auditor", false),
        ADMIN("admin", "human/admin", false);

        private final String fileName;
        private final String path;
        private final boolean server;

        Member(String fileName, String path, boolean server) {
            this.fileName = fileName;
            this.path = path;
            this.server = server;
        }

        /** Base name of the member's files. */
        public String fileName() {
            return fileName;
        }

        /** The member's SPIFFE ID. */
        public SpiffeId identity() {
            return new SpiffeId("spiffe://" + TRUST_DOMAIN + "/" + path);
        }
    }

    private final Path dir;

    public DevPki(Path dir) {
        this.dir = requireNonNull(dir, "dir is null");
    }

    /** The directory holding the files. */
    public Path dir() {
        return dir;
    }

    /** The CA certificate (trust bundle). */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** The certificate file of {@code name}. */
    public Path certFile(String name) {
        return dir.resolve(name + ".pem");
    }

    /** The private key file of {@code name}. */
    public Path keyFile(String name) {
        return dir.resolve(name + ".key");
    }

    /** Creates a new CA and a certificate for every member, replacing what was there. */
    public void init(Clock clock) {
        CertificateAuthority ca = CertificateAuthority.create("Portcullis dev CA", Validity.startingNow(clock, CA_VALIDITY));
        ca.save(caFile(), dir.resolve("ca.key"));
        for (Member member : Member.values()) {
            issueMember(ca, member, clock);
        }
    }

    /**
     * Makes the PKI usable now: creates it when absent, replaces the CA (and so every
     * certificate) when it nears expiry, and renews member certificates that are missing or
     * near expiry.
     *
     * @return true when any file was written
     */
    public boolean ensure(Clock clock) {
        if (!Files.exists(caFile()) || !Files.exists(dir.resolve("ca.key"))
                || expiresWithin(PemFiles.readCertificate(caFile()), clock, RENEW_CA_BEFORE)) {
            init(clock);
            return true;
        }
        CertificateAuthority ca = ca();
        boolean changed = false;
        for (Member member : Member.values()) {
            Path cert = certFile(member.fileName());
            if (!Files.exists(cert) || !Files.exists(keyFile(member.fileName()))
                    || expiresWithin(PemFiles.readCertificate(cert), clock, RENEW_LEAF_BEFORE)) {
                issueMember(ca, member, clock);
                changed = true;
            }
        }
        return changed;
    }

    /**
     * Issues one more certificate from this PKI's CA and writes {@code NAME.pem} and
     * {@code NAME.key}.
     */
    public IssuedCertificate issue(String name, CertificateRequest request) {
        if (!name.matches("[A-Za-z0-9._-]{1,64}") || name.startsWith(".") || name.equals("ca")) {
            throw new IllegalArgumentException("name must be 1-64 characters of A-Z, a-z, 0-9, '.', '-', '_', not 'ca'");
        }
        IssuedCertificate issued = ca().issue(request);
        PemFiles.writePrivateKey(keyFile(name), issued.privateKey());
        PemFiles.writeCertificate(certFile(name), issued.certificate());
        return issued;
    }

    private CertificateAuthority ca() {
        return CertificateAuthority.load(caFile(), dir.resolve("ca.key"));
    }

    private void issueMember(CertificateAuthority ca, Member member, Clock clock) {
        CertificateRequest request = new CertificateRequest(
                member.fileName(), member.identity(),
                member.server ? LOOPBACK_DNS : List.of(), member.server ? LOOPBACK_IPS : List.of(),
                Validity.startingNow(clock, LEAF_VALIDITY));
        IssuedCertificate issued = ca.issue(request);
        PemFiles.writePrivateKey(keyFile(member.fileName()), issued.privateKey());
        PemFiles.writeCertificate(certFile(member.fileName()), issued.certificate());
    }

    private static boolean expiresWithin(X509Certificate certificate, Clock clock, Duration margin) {
        return certificate.getNotAfter().toInstant().isBefore(clock.instant().plus(margin));
    }
}
