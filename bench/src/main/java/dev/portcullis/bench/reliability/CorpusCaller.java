package dev.portcullis.bench.reliability;

import io.grpc.ChannelCredentials;

/**
 * Who calls in a hostile case: a client certificate ({@link HostileCaller}) or a CI job's OIDC
 * identity token over server-authenticated TLS ({@link TokenCaller}).
 */
sealed interface CorpusCaller permits HostileCaller, TokenCaller {
    /** The identity the suite should verify from the credential, "" when it should verify none. */
    String identity();

    /** The credentials of a channel calling as this caller. */
    ChannelCredentials credentials(CallerCertificates certificates);
}
