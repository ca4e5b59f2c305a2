package dev.portcullis.runtime.transport;

import java.net.SocketAddress;

/** How a peer's address appears in audit records and logs: "ip:port", at most 128 characters. */
final class RemoteAddress {
    private static final int MAX = 128;

    private RemoteAddress() {}

    /** "127.0.0.1:54321" for {@code address}; empty when it is unknown ({@code null}). */
    static String printable(SocketAddress address) {
        if (address == null) {
            return "";
        }
        String text = address.toString().replaceFirst("^[^/]*/", "");
        return text.length() > MAX ? text.substring(0, MAX) : text;
    }
}
