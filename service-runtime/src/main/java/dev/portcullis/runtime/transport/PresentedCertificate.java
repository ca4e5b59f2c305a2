package dev.portcullis.runtime.transport;

import dev.portcullis.runtime.identity.CertificateIdentity;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a refused client certificate claimed, as audit attributes marked unverified: its subject,
 * names (SANs), issuer, serial and validity, and why the trust bundle refused it in a few fixed
 * words. Never the key, never the whole certificate, never the JDK's message (which quotes names
 * from the certificate). Immutable.
 */
record PresentedCertificate(Map<String, String> attributes) {
    PresentedCertificate {
        attributes = Map.copyOf(attributes);
    }

    static PresentedCertificate of(X509Certificate leaf, CertificateException failure) {
        Map<String, String> attributes = new TreeMap<>();
        attributes.put("verified", "false");
        attributes.put("problem", problem(failure));
        attributes.put("unverified_subject", CertificateIdentity.printable(leaf.getSubjectX500Principal().getName(), 256));
        attributes.put("unverified_names", CertificateIdentity.claimedNames(leaf));
        attributes.put("unverified_issuer", CertificateIdentity.printable(leaf.getIssuerX500Principal().getName(), 256));
        attributes.put("serial", leaf.getSerialNumber().toString(16));
        attributes.put("not_before", leaf.getNotBefore().toInstant().toString());
        attributes.put("not_after", leaf.getNotAfter().toInstant().toString());
        return new PresentedCertificate(attributes);
    }

    private static String problem(CertificateException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateExpiredException) {
                return "expired";
            }
            if (cause instanceof CertificateNotYetValidException) {
                return "not yet valid";
            }
            if (cause instanceof CertPathValidatorException path && path.getReason() instanceof CertPathValidatorException.BasicReason reason) {
                switch (reason) {
                    case EXPIRED:
                        return "expired";
                    case NOT_YET_VALID:
                        return "not yet valid";
                    case REVOKED:
                        return "revoked";
                    case INVALID_SIGNATURE:
                        return "bad signature";
                    default:
                        break;
                }
            }
        }
        return "not issued by a trusted CA";
    }
}
