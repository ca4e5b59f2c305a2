package dev.portcullis.cli.call;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void devModeAddressesAreLoopback() {
        List<String> addresses = List.of("localhost:4711", "127.0.0.1:4711", "[::1]:4711", "dns:///localhost:4711");

        List<Endpoint> endpoints = addresses.stream().map(address -> Endpoint.of("gateway", address)).toList();

        endpoints.forEach(endpoint -> assertTrue(endpoint.isLoopback(), endpoint.address()));
    }

    @Test
    void anAddressOfAnotherMachineIsNotLoopback() {
        List<String> addresses = List.of("gateway.example.com:443", "10.0.0.7:4711", "[2001:db8::1]:4711", "localhost.example.com:1");

        List<Endpoint> endpoints = addresses.stream().map(address -> Endpoint.of("gateway", address)).toList();

        endpoints.forEach(endpoint -> assertFalse(endpoint.isLoopback(), endpoint.address()));
    }
}
