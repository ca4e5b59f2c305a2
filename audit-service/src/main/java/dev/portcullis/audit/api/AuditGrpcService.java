package dev.portcullis.audit.api;

import dev.portcullis.v1.AuditServiceGrpc;

/**
 * gRPC adapter of {@code portcullis.v1.AuditService}. Every RPC's behaviour is built by a later
 * issue; until then each answers UNIMPLEMENTED (never a fake success), after the transport has
 * authenticated and authorised the caller.
 */
public final class AuditGrpcService extends AuditServiceGrpc.AuditServiceImplBase {}
