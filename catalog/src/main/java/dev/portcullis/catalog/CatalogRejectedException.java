package dev.portcullis.catalog;

import java.util.List;

/** A catalog with problems; it is refused whole. Carries every problem found. */
public final class CatalogRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String version;
    private final List<CatalogProblem> problems;

    public CatalogRejectedException(String version, List<CatalogProblem> problems) {
        super(problems.size() + " problem(s) in the catalog, first: " + problems.get(0), null, false, false);
        this.version = version;
        this.problems = List.copyOf(problems);
    }

    /** The version (content digest) the refused catalog would have had. */
    public String version() {
        return version;
    }

    public List<CatalogProblem> problems() {
        return problems;
    }
}
