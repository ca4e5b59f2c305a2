package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.pki.DevPki;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The identities the hostile corpus calls as. Every CI identity it makes is new and carries a
 * random tag, so two corpus runs against one suite never mix and each case's audit event is found
 * by its own caller. Not thread-safe: one thread builds the corpus.
 */
final class CorpusIdentities {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String domain;
    private final String tag;
    // guarded by confinement to the one thread that builds the corpus
    private int serial;

    private CorpusIdentities(String domain, String tag) {
        this.domain = requireNonNull(domain, "domain is null");
        this.tag = requireNonNull(tag, "tag is null");
    }

    /** Identities in the dev trust domain, under a fresh random tag. */
    static CorpusIdentities tagged() {
        byte[] tag = new byte[4];
        RANDOM.nextBytes(tag);
        return new CorpusIdentities("spiffe://" + DevPki.TRUST_DOMAIN, HexFormat.of().formatHex(tag));
    }

    /** {@code spiffe://TRUST_DOMAIN}. */
    String domain() {
        return domain;
    }

    /** This corpus run's tag, in every identity and name it makes up. */
    String tag() {
        return tag;
    }

    /** A CI identity no other case uses. */
    HostileCaller ci() {
        return ciOf(DevPki.TRUST_DOMAIN);
    }

    /** A CI identity no other case uses, in {@code trustDomain}. */
    HostileCaller ciOf(String trustDomain) {
        return verified("spiffe://" + trustDomain + "/ci/hostile/" + tag + "/" + (++serial));
    }

    /** A CI identity no other case uses, as a name only ({@code kind} says what its certificate will be). */
    String ciName(String kind) {
        return domain + "/ci/hostile/" + tag + "/" + kind + "-" + (++serial);
    }

    HostileCaller approver() {
        return verified(domain + "/human/approver");
    }

    HostileCaller admin() {
        return verified(domain + "/human/admin");
    }

    HostileCaller auditor() {
        return verified(domain + "/human/auditor");
    }

    /** {@code identity} in a certificate of the suite's CA. */
    HostileCaller verified(String identity) {
        return HostileCaller.verified(identity, "hostile " + serial);
    }
}
