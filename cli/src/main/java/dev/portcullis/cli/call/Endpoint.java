package dev.portcullis.cli.call;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One service the CLI calls: its name ({@code gateway}), its address ({@code host:port}) and the
 * variable that sets the address ({@code PORTCULLIS_GATEWAY_ADDR}), so that a failure can name all three.
 */
public record Endpoint(String service, String address, String variable) {

    public Endpoint {
        requireNonNull(service, "service is null");
        requireNonNull(address, "address is null");
        requireNonNull(variable, "variable is null");
    }

    /** The endpoint of {@code service} (gateway, policy, executor, audit) at {@code address}. */
    public static Endpoint of(String service, String address) {
        String variable = ClientEnvironment.ADDRESS_VARIABLES.get(service);
        if (variable == null) {
            throw new IllegalArgumentException("unknown service '" + service + "'; choose from "
                    + ClientEnvironment.ADDRESS_VARIABLES.keySet());
        }
        if (address == null || address.isBlank()) {
            String option = service.equals("gateway") || service.equals("audit") ? ", or pass --" + service + "-addr" : "";
            throw new IllegalStateException(variable + " is not set: run `" + ClientEnvironment.DEV_ENV_COMMAND + "` while"
                    + " `./portcullis dev` runs, or set it to the " + service + "'s host:port" + option);
        }
        return new Endpoint(service, address.strip(), variable);
    }

    /**
     * Whether the address is on this machine (localhost, 127.0.0.0/8, ::1): where {@code portcullis dev}
     * listens. Decided from the text alone; nothing is resolved.
     */
    public boolean isLoopback() {
        String host = address.replaceFirst("^[a-z]+:///?", "");
        if (host.startsWith("[")) {
            host = host.substring(1, Math.max(1, host.indexOf(']')));
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.contains(":")) {
            host = host.substring(0, host.indexOf(':'));
        }
        host = host.toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
    }
}
