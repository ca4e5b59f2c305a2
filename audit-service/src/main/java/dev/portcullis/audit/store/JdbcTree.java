package dev.portcullis.audit.store;

import dev.portcullis.audit.chain.CompactRange;
import dev.portcullis.audit.chain.MerkleTree;
import dev.portcullis.audit.chain.MerkleTree.Node;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Merkle tree's rows: perfect subtrees of height 1 and up in {@code audit_tree_node}, leaves
 * derived from {@code audit_event.hash}. Statements only; the caller owns the connection and its
 * transaction (appends run under the chain head lock). Stateless and thread-safe.
 */
final class JdbcTree {
    private static final HexFormat HEX = HexFormat.of();

    private JdbcTree() {}

    /** The hashes of {@code nodes}; a node that is not stored is absent from the map. */
    static Map<Node, byte[]> read(Connection connection, Set<Node> nodes) throws SQLException {
        Map<Node, byte[]> hashes = new HashMap<>();
        List<Node> leaves = nodes.stream().filter(node -> node.height() == 0).toList();
        List<Node> inner = nodes.stream().filter(node -> node.height() > 0).toList();
        if (!leaves.isEmpty()) {
            Object[] sequences = leaves.stream().map(node -> node.index() + 1).toArray();
            try (PreparedStatement select = connection.prepareStatement("SELECT seq, hash FROM audit_event WHERE seq = ANY(?)")) {
                select.setArray(1, connection.createArrayOf("BIGINT", sequences));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        hashes.put(new Node(0, rows.getLong(1) - 1), MerkleTree.eventLeafHash(rows.getString(2).trim()));
                    }
                }
            }
        }
        if (!inner.isEmpty()) {
            StringBuilder sql = new StringBuilder("SELECT height, idx, hash FROM audit_tree_node WHERE ");
            for (int i = 0; i < inner.size(); i++) {
                sql.append(i == 0 ? "" : " OR ").append("(height = ? AND idx = ?)");
            }
            try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < inner.size(); i++) {
                    select.setInt(2 * i + 1, inner.get(i).height());
                    select.setLong(2 * i + 2, inner.get(i).index());
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        hashes.put(new Node(rows.getInt(1), rows.getLong(2)), HEX.parseHex(rows.getString(3).trim()));
                    }
                }
            }
        }
        return hashes;
    }

    /** The right edge of the stored tree of {@code size} leaves. */
    static CompactRange edge(Connection connection, long size) throws SQLException {
        List<Node> edge = CompactRange.edge(size);
        Map<Node, byte[]> hashes = read(connection, Set.copyOf(edge));
        List<byte[]> ordered = new ArrayList<>();
        for (Node node : edge) {
            byte[] hash = hashes.get(node);
            if (hash == null) {
                throw new SQLException("the audit tree is missing node " + node.height() + "/" + node.index());
            }
            ordered.add(hash);
        }
        return CompactRange.of(size, ordered);
    }

    /** Stores nodes an append completed, in one batch. */
    static void insert(Connection connection, List<CompactRange.Created> created) throws SQLException {
        if (created.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_tree_node (height, idx, hash) VALUES (?, ?, ?)")) {
            for (CompactRange.Created node : created) {
                insert.setInt(1, node.node().height());
                insert.setLong(2, node.node().index());
                insert.setString(3, HEX.formatHex(node.hash()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Adds up to {@code limit} stored events after leaf {@code treeSize} to the tree (events
     * stored before the tree existed); returns the new tree size.
     */
    static long catchUp(Connection connection, long treeSize, long headSequence, long limit) throws SQLException {
        long last = Math.min(headSequence, treeSize + limit);
        if (last <= treeSize) {
            return treeSize;
        }
        CompactRange range = edge(connection, treeSize);
        List<CompactRange.Created> created = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT seq, hash FROM audit_event WHERE seq > ? AND seq <= ? ORDER BY seq")) {
            select.setLong(1, treeSize);
            select.setLong(2, last);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    if (rows.getLong(1) != range.size() + 1) {
                        throw new SQLException("the audit log has a gap at " + (range.size() + 1) + ": the tree cannot cover it");
                    }
                    created.addAll(range.append(MerkleTree.eventLeafHash(rows.getString(2).trim())));
                }
            }
        }
        insert(connection, created);
        return range.size();
    }
}
