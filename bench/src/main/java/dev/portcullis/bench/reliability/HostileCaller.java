package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.bench.reliability.CallerCertificates.Signer;
import dev.portcullis.runtime.pki.Validity;
import io.grpc.ChannelCredentials;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * Who calls in a hostile case, as data: the certificate it presents (signer, subject CN, SANs,
 * validity), the identity the suite should verify from it ("" when none should be) and what the
 * certificate claims (its first SAN), which the audit log names for a caller it could not verify.
 */
record HostileCaller(String identity, String claim, Signer signer, String commonName, List<GeneralName> names,
        Validity validity) implements CorpusCaller {
    private static final Duration LIFETIME = Duration.ofHours(1);

    HostileCaller {
        requireNonNull(identity, "identity is null");
        requireNonNull(claim, "claim is null");
        requireNonNull(signer, "signer is null");
        requireNonNull(commonName, "commonName is null");
        names = List.copyOf(names);
        requireNonNull(validity, "validity is null");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a caller's certificate names at least one SAN");
        }
    }

    /** {@code identity} in a certificate of the suite's CA, valid from now for an hour. */
    static HostileCaller verified(String identity, String commonName) {
        return new HostileCaller(identity, identity, Signer.SUITE_CA, commonName, List.of(CallerCertificates.uri(identity)),
                Validity.startingNow(Clock.systemUTC(), LIFETIME));
    }

    /** A certificate the suite must not take for an identity, valid from now for an hour. */
    static HostileCaller forged(Signer signer, String commonName, List<GeneralName> names) {
        return forged(signer, commonName, names, Validity.startingNow(Clock.systemUTC(), LIFETIME));
    }

    /** A certificate the suite must not take for an identity. */
    static HostileCaller forged(Signer signer, String commonName, List<GeneralName> names, Validity validity) {
        return new HostileCaller("", names.get(0).getName().toString(), signer, commonName, names, validity);
    }

    /** Issues the certificate (a fresh key each time) and presents it. */
    @Override
    public ChannelCredentials credentials(CallerCertificates certificates) {
        return certificates.credentials(certificates.issue(signer, commonName, names, validity));
    }
}
