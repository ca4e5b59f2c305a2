package dev.portcullis.executor.api;

import dev.portcullis.v1.ExecutorServiceGrpc;

/**
 * gRPC adapter of {@code portcullis.v1.ExecutorService}. Every RPC's behaviour is built by a later
 * issue; until then each answers UNIMPLEMENTED (never a fake success), after the transport has
 * authenticated and authorised the caller.
 */
public final class ExecutorGrpcService extends ExecutorServiceGrpc.ExecutorServiceImplBase {}
