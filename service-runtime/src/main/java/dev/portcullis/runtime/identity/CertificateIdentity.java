package dev.portcullis.runtime.identity;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads the SPIFFE identity out of an X.509 certificate (an X509-SVID). */
public final class CertificateIdentity {
    private static final int SAN_URI = 6;
    private static final int SAN_DNS = 2;
    private static final int SAN_EMAIL = 1;
    private static final int MAX_CLAIM = 512;

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

    /**
     * What {@code certificate} claims to be, for the record of a refusal: its URI, DNS and e-mail
     * SANs ({@code uri:…}, {@code dns:…}, {@code email:…}, comma-separated) or, without any, its
     * subject. Never an identity: the caller may have written anything there. Printable ASCII
     * only (anything else becomes '?'), at most 512 characters.
     */
    public static String claimedNames(X509Certificate certificate) {
        List<String> claims = new ArrayList<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() >= 2 && name.get(0) instanceof Integer type) {
                        String prefix = switch (type) {
                            case SAN_URI -> "uri:";
                            case SAN_DNS -> "dns:";
                            case SAN_EMAIL -> "email:";
                            default -> "";
                        };
                        if (!prefix.isEmpty()) {
                            claims.add(prefix + name.get(1));
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            claims.add("unparsable subject alternative names");
        }
        if (claims.isEmpty()) {
            claims.add("subject:" + certificate.getSubjectX500Principal().getName());
        }
        return printable(String.join(",", claims), MAX_CLAIM);
    }

    /** {@code text} as printable ASCII of at most {@code max} characters, for logs and audit records. */
    public static String printable(String text, int max) {
        StringBuilder safe = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && safe.length() < max; i++) {
            char c = text.charAt(i);
            safe.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return safe.toString();
    }
}
