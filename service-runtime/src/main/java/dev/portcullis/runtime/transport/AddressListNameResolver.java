package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Resolves a fixed list of "host:port" addresses, so one channel spreads its calls over several
 * replicas of a neighbour (with {@code round_robin}) and goes on with the others while one is
 * down. grpc-java ships no resolver for a static list, and its {@code dns} resolver takes one
 * host. Each host is looked up again whenever the channel asks (after a connection failure), off
 * the channel's synchronization context; an address whose host does not resolve is left out of
 * that round, and only when none resolves does the channel see an error. Thread-safe.
 */
final class AddressListNameResolver extends NameResolver {
    static final String SCHEME = "portcullis-addresses";

    private final List<String> addresses;
    private final Executor offload;
    private final io.grpc.SynchronizationContext context;
    // set once by start, read on the offload executor
    private volatile Listener2 listener;

    private AddressListNameResolver(List<String> addresses, Args args) {
        this.addresses = List.copyOf(addresses);
        this.offload = args.getOffloadExecutor() != null ? args.getOffloadExecutor() : Runnable::run;
        this.context = requireNonNull(args.getSynchronizationContext(), "synchronization context is null");
    }

    /** The channel target naming {@code addresses} ("host:port" each, at least one). */
    static String target(List<String> addresses) {
        try {
            // the URI constructor quotes what a path may not hold (an IPv6 literal's brackets)
            return new URI(SCHEME, "", "/" + String.join(",", addresses), null).toString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the addresses cannot form a channel target", e);
        }
    }

    /** The first address: TLS host-name verification checks every replica's certificate against its host. */
    @Override
    public String getServiceAuthority() {
        return addresses.get(0);
    }

    @Override
    public void start(Listener2 listener) {
        this.listener = requireNonNull(listener, "listener is null");
        resolve();
    }

    @Override
    public void refresh() {
        resolve();
    }

    @Override
    public void shutdown() {
        // nothing held: every resolution is a one-off lookup
    }

    private void resolve() {
        Listener2 target = listener;
        offload.execute(() -> {
            List<EquivalentAddressGroup> groups = new ArrayList<>();
            List<String> unresolved = new ArrayList<>();
            for (String address : addresses) {
                int colon = address.lastIndexOf(':');
                String host = address.substring(0, colon).replace("[", "").replace("]", "");
                int port = Integer.parseInt(address.substring(colon + 1));
                try {
                    List<SocketAddress> resolved = Arrays.stream(InetAddress.getAllByName(host))
                            .map(ip -> (SocketAddress) new InetSocketAddress(ip, port)).toList();
                    groups.add(new EquivalentAddressGroup(resolved));
                } catch (UnknownHostException e) {
                    unresolved.add(host);
                }
            }
            StatusOr<List<EquivalentAddressGroup>> result = groups.isEmpty()
                    ? StatusOr.fromStatus(Status.UNAVAILABLE.withDescription("no host of the address list resolves: " + unresolved))
                    : StatusOr.fromValue(groups);
            context.execute(() -> target.onResult2(ResolutionResult.newBuilder().setAddressesOrError(result).build()));
        });
    }

    /** Makes resolvers for {@link #SCHEME} targets; registered once by {@link ServiceChannels}. */
    static final class Provider extends NameResolverProvider {
        @Override
        public NameResolver newNameResolver(URI targetUri, Args args) {
            if (!SCHEME.equals(targetUri.getScheme())) {
                return null;
            }
            String path = targetUri.getPath();
            List<String> addresses = path == null || path.length() < 2 ? List.of() : List.of(path.substring(1).split(","));
            if (addresses.isEmpty() || addresses.stream().anyMatch(a -> a.lastIndexOf(':') < 1)) {
                throw new IllegalArgumentException("an address list target needs host:port entries");
            }
            return new AddressListNameResolver(addresses, args);
        }

        @Override
        public String getDefaultScheme() {
            return SCHEME;
        }

        @Override
        protected boolean isAvailable() {
            return true;
        }

        /** Below grpc's dns resolver (5), so it never becomes the default scheme of a bare target. */
        @Override
        protected int priority() {
            return 4;
        }

        @Override
        public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
            return List.of(InetSocketAddress.class);
        }
    }
}
