package dev.portcullis.policy.api;

import dev.portcullis.v1.PolicyServiceGrpc;

/**
 * gRPC adapter of {@code portcullis.v1.PolicyService}. Every RPC's behaviour is built by a later
 * issue; until then each answers UNIMPLEMENTED (never a fake success), after the transport has
 * authenticated and authorised the caller.
 */
public final class PolicyGrpcService extends PolicyServiceGrpc.PolicyServiceImplBase {}
