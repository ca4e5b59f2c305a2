package dev.portcullis.audit.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedOutputStream;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.store.AuditStore;
import dev.portcullis.runtime.stream.EventFeed;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.QueryResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The events a query matches, read from the store a page at a time up to the query's limit, as
 * the messages of {@code Query}'s stream: batches of events when the request asked for them
 * ({@code QueryRequest.batched}), else one event a message.
 */
final class QueryAnswer implements EventFeed<QueryResponse> {
    /** Rows read from the store at once; also the most events one batched message holds. */
    static final int PAGE = 500;
    /** A batched message holds events up to this size: a quarter of gRPC's default inbound limit of 4 MiB. */
    static final int BATCH_BYTES = 1 << 20;
    /** QueryResponse.events' tag (field 3, length-delimited): one byte, as is field 1's. */
    private static final int EVENTS_TAG_BYTES = CodedOutputStream.computeTagSize(QueryResponse.EVENTS_FIELD_NUMBER);

    private final AuditStore store;
    private final AuditRequests.Querying querying;
    // read from the store, not yet in a message; touched by one streamer call at a time (EventFeed)
    private final ArrayDeque<StoredEvent> read = new ArrayDeque<>();
    private long after;
    private int fetched;
    private boolean exhausted;

    QueryAnswer(AuditStore store, AuditRequests.Querying querying) {
        this.store = requireNonNull(store, "store is null");
        this.querying = requireNonNull(querying, "querying is null");
        this.after = querying.after();
    }

    /** Messages made of at most one store page; reads the next page when the last one is sent. */
    @Override
    public List<QueryResponse> next(int max) {
        if (read.isEmpty() && !exhausted) {
            int wanted = Math.min(PAGE, querying.limit() - fetched);
            List<StoredEvent> page = store.query(querying.filter(), querying.newestFirst(), after, wanted);
            fetched += page.size();
            // a short page is the last one
            exhausted = page.size() < wanted || fetched >= querying.limit();
            if (!page.isEmpty()) {
                after = page.get(page.size() - 1).sequence();
            }
            read.addAll(page);
        }
        List<QueryResponse> messages = new ArrayList<>();
        while (!read.isEmpty() && messages.size() < max) {
            messages.add(querying.batched() ? batch() : single());
        }
        return messages;
    }

    @SuppressWarnings("deprecation") // the one-event form, for callers written before batches
    private QueryResponse single() {
        StoredEvent event = read.poll();
        return QueryResponse.newBuilder()
                .setEvent(ChainedEvents.toProto(event))
                .setCursor(AuditGrpcService.Cursors.of(event.sequence(), querying.newestFirst()))
                .build();
    }

    /** The next events up to {@link #BATCH_BYTES}; always at least one. */
    private QueryResponse batch() {
        QueryResponse.Builder message = QueryResponse.newBuilder();
        long bytes = 0;
        long last = 0;
        while (!read.isEmpty()) {
            ChainedEvent event = ChainedEvents.toProto(read.peek());
            // the size is computed once and kept by the message, which reuses it when it is written
            bytes += EVENTS_TAG_BYTES + CodedOutputStream.computeUInt32SizeNoTag(event.getSerializedSize())
                    + event.getSerializedSize();
            if (bytes > BATCH_BYTES && message.getEventsCount() > 0) {
                break;
            }
            message.addEvents(event);
            last = read.poll().sequence();
        }
        return message.setCursor(AuditGrpcService.Cursors.of(last, querying.newestFirst())).build();
    }

    @Override
    public boolean finished() {
        return exhausted && read.isEmpty();
    }

    @Override
    public void awaitMore() {
        throw new IllegalStateException("a query's answer is never waited for");
    }
}
