package dev.portcullis.runtime.pki;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import java.util.List;

/**
 * What to put in a leaf certificate.
 *
 * @param commonName subject CN, for humans reading the certificate
 * @param identity the SPIFFE ID, written as the one URI SAN
 * @param dnsNames DNS SANs (server certificates: every host name clients dial)
 * @param ipAddresses IP SANs (server certificates: every address clients dial)
 * @param validity when it is valid
 */
public record CertificateRequest(
        String commonName, SpiffeId identity, List<String> dnsNames, List<String> ipAddresses, Validity validity) {

    public CertificateRequest {
        requireNonNull(commonName, "commonName is null");
        requireNonNull(identity, "identity is null");
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        requireNonNull(validity, "validity is null");
    }
}
