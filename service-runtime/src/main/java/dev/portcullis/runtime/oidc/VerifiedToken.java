package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.time.Instant;
import java.util.Map;

/**
 * A CI job's identity token whose signature, issuer, audience, times and claims all checked out. Holds no part
 * of the token itself.
 *
 * @param issuerName the configured name of the issuer that signed it
 * @param identity the caller's SPIFFE-form identity, from the issuer's identity template
 * @param claims every claim as a string, for {@code request.claims}: strings as they are, numbers in
 *     decimal, booleans as {@code true}/{@code false}, times ({@code exp}, {@code iat}, {@code nbf}) in
 *     epoch seconds, {@code aud} as its one value; other arrays and objects are left out
 * @param commit the commit the token was issued for (its {@code sha})
 * @param ref the ref the token was issued for, in full: GitHub's {@code ref} as it is, GitLab's
 *     {@code ref} with {@code ref_type} {@code branch} or {@code tag} as {@code refs/heads/…} or {@code refs/tags/…}
 * @param jti the token's unique id
 * @param expiresAt the token's {@code exp}
 * @param immutableIds the immutable ids present ({@code repository_id}, {@code repository_owner_id},
 *     {@code project_id}, {@code namespace_id}) and every claim the issuer requires
 */
public record VerifiedToken(
        String issuerName,
        SpiffeId identity,
        Map<String, String> claims,
        CommitSha commit,
        GitRef ref,
        String jti,
        Instant expiresAt,
        Map<String, String> immutableIds) implements Verified {

    public VerifiedToken {
        requireNonNull(issuerName, "issuerName is null");
        requireNonNull(identity, "identity is null");
        claims = Map.copyOf(requireNonNull(claims, "claims is null"));
        requireNonNull(commit, "commit is null");
        requireNonNull(ref, "ref is null");
        requireNonNull(jti, "jti is null");
        requireNonNull(expiresAt, "expiresAt is null");
        immutableIds = Map.copyOf(requireNonNull(immutableIds, "immutableIds is null"));
    }
}
