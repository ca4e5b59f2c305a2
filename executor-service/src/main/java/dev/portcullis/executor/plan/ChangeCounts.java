package dev.portcullis.executor.plan;

/**
 * How many resource instances a plan touches, by kind. Every resource counts once under its
 * {@link ChangeKind}; an import or a move counts again under {@code imports} or {@code moves}.
 */
public record ChangeCounts(int create, int update, int delete, int replace, int read, int forget, int noOp,
        int imports, int moves) {

    public static final ChangeCounts NONE = new ChangeCounts(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public ChangeCounts {
        if (create < 0 || update < 0 || delete < 0 || replace < 0 || read < 0 || forget < 0 || noOp < 0
                || imports < 0 || moves < 0) {
            throw new IllegalArgumentException("change counts must not be negative");
        }
    }

    /** These counts with {@code change} added. */
    ChangeCounts plus(ResourceChange change) {
        ChangeKind kind = change.kind();
        return new ChangeCounts(
                create + (kind == ChangeKind.CREATE ? 1 : 0),
                update + (kind == ChangeKind.UPDATE ? 1 : 0),
                delete + (kind == ChangeKind.DELETE ? 1 : 0),
                replace + (kind == ChangeKind.REPLACE ? 1 : 0),
                read + (kind == ChangeKind.READ ? 1 : 0),
                forget + (kind == ChangeKind.FORGET ? 1 : 0),
                noOp + (kind == ChangeKind.NO_OP ? 1 : 0),
                imports + (change.importing() ? 1 : 0),
                moves + (change.moved() ? 1 : 0));
    }

    /** All resources counted, each once. */
    public int total() {
        return create + update + delete + replace + read + forget + noOp;
    }

    /** True when anything would be created, changed, removed, read, imported or moved. */
    public boolean anyChange() {
        return total() - noOp > 0 || imports > 0 || moves > 0;
    }
}
