package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWK;

/** What a {@link JwksCache} found for a {@code kid}. */
sealed interface KeyLookup {
    /** The issuer's public key with that {@code kid}. */
    record Found(JWK key) implements KeyLookup {
        public Found {
            requireNonNull(key, "key is null");
        }
    }

    /** The issuer's current key set has no usable key with that {@code kid}. */
    record Unknown() implements KeyLookup {}

    /** No usable key set: never fetched, or kept past its bound while the issuer is unreachable. */
    record Unavailable() implements KeyLookup {}
}
