package dev.portcullis.audit.source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured outside sources, by name. Immutable. */
public final class Sources {
    private final Map<SourceName, Source> byName;

    /** @throws IllegalArgumentException when two sources share a name */
    public Sources(List<Source> sources) {
        Map<SourceName, Source> map = new LinkedHashMap<>();
        for (Source source : sources) {
            if (map.putIfAbsent(source.name(), source) != null) {
                throw new IllegalArgumentException("two sources are named " + source.name());
            }
        }
        this.byName = java.util.Collections.unmodifiableMap(map);
    }

    /** The source named {@code name}, if configured. */
    public Optional<Source> byName(SourceName name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Every source, in configuration order. */
    public List<Source> all() {
        return new ArrayList<>(byName.values());
    }
}
