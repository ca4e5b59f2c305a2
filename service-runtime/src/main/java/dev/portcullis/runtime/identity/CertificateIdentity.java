package dev.portcullis.runtime.identity;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads the SPIFFE identity out of an X.509 certificate (an X509-SVID). */
public final class CertificateIdentity {
    private static final int SAN_URI = 6;

    private CertificateIdentity() {}

    /**
     * The SPIFFE ID of {@code certificate}: its one and only URI SAN. A certificate with no URI
     * SAN, several, or one that is not a SPIFFE ID has no identity.
     *
     * @throws InvalidIdentityException naming the problem (safe to show the caller)
     */
    public static SpiffeId of(X509Certificate certificate) {
        List<String> uris = new ArrayList<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() >= 2 && Integer.valueOf(SAN_URI).equals(name.get(0))) {
                        uris.add(String.valueOf(name.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new InvalidIdentityException("the certificate's subject alternative names cannot be parsed");
        }
        if (uris.isEmpty()) {
            throw new InvalidIdentityException("the certificate has no URI SAN");
        }
        if (uris.size() > 1) {
            throw new InvalidIdentityException("the certificate has more than one URI SAN");
        }
        String uri = uris.get(0);
        SpiffeId.problemWith(uri).ifPresent(problem -> {
            throw new InvalidIdentityException("the certificate's URI SAN is not a SPIFFE ID: " + problem);
        });
        return new SpiffeId(uri);
    }
}
