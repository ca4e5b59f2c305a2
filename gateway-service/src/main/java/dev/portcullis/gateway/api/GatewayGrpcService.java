package dev.portcullis.gateway.api;

import dev.portcullis.v1.GatewayServiceGrpc;

/**
 * gRPC adapter of {@code portcullis.v1.GatewayService}. Every RPC's behaviour is built by a later
 * issue; until then each answers UNIMPLEMENTED (never a fake success), after the transport has
 * authenticated and authorised the caller.
 */
public final class GatewayGrpcService extends GatewayServiceGrpc.GatewayServiceImplBase {}
