package dev.downtimemonitor.devnode;

import java.util.List;
import java.util.Map;

import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.xcontent.MediaType;
import org.opensearch.core.xcontent.spi.MediaTypeProvider;

/**
 * The 8.x client sends {@code application/vnd.elasticsearch+json; compatible-with=8} (and the
 * x-ndjson variant for bulk) as Content-Type and Accept. OpenSearch answers 406 to media types it
 * does not know before any handler runs; as aliases of JSON they parse, and the answer goes back
 * as plain {@code application/json}, which the client reads as JSON too. The
 * {@code compatible-with} parameter is parsed and ignored.
 * Loaded by ServiceLoader (META-INF/services) when the registry class initialises.
 */
public final class ElasticMediaTypes implements MediaTypeProvider {
    @Override
    public List<MediaType> getMediaTypes() {
        return List.of();
    }

    @Override
    public Map<String, MediaType> getAdditionalMediaTypes() {
        return Map.of(
            "application/vnd.elasticsearch+json", XContentType.JSON,
            "application/vnd.elasticsearch+x-ndjson", XContentType.JSON
        );
    }
}
