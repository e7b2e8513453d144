package dev.downtimemonitor.devnode;

import java.util.function.UnaryOperator;

import org.opensearch.client.node.NodeClient;
import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.core.xcontent.MediaType;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.rest.RestChannel;
import org.opensearch.rest.RestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.RestResponse;
import org.opensearch.rest.StreamingRestChannel;

/**
 * Lets the stock @elastic/elasticsearch 8.x client talk to this node: the client refuses every
 * 2xx answer that lacks {@code X-elastic-product: Elasticsearch}. Its vendor media types are
 * accepted by {@link ElasticMediaTypes}, which has to act earlier than any handler.
 * Answers sent outside a handler (404 for an unknown path, 406) go without the header; the
 * client only checks 2xx answers.
 */
public final class ElasticCompatPlugin extends Plugin implements ActionPlugin {
    static final String PRODUCT_HEADER = "X-elastic-product";

    @Override
    public UnaryOperator<RestHandler> getRestHandlerWrapper(ThreadContext threadContext) {
        return handler -> new RestHandler.Wrapper(handler) {
            @Override
            public void handleRequest(RestRequest request, RestChannel channel, NodeClient client) throws Exception {
                // A streaming channel is cast back by its handler; Netty4 has none, so leave it be.
                RestChannel wrapped = channel instanceof StreamingRestChannel ? channel : new ProductHeaderChannel(channel);
                super.handleRequest(request, wrapped, client);
            }
        };
    }

    private static final class ProductHeaderChannel implements RestChannel {
        private final RestChannel delegate;

        ProductHeaderChannel(RestChannel delegate) {
            this.delegate = delegate;
        }

        @Override
        public void sendResponse(RestResponse response) {
            response.addHeader(PRODUCT_HEADER, "Elasticsearch");
            delegate.sendResponse(response);
        }

        @Override
        public XContentBuilder newBuilder() throws java.io.IOException {
            return delegate.newBuilder();
        }

        @Override
        public XContentBuilder newErrorBuilder() throws java.io.IOException {
            return delegate.newErrorBuilder();
        }

        @Override
        public XContentBuilder newBuilder(MediaType requestContentType, boolean useFiltering) throws java.io.IOException {
            return delegate.newBuilder(requestContentType, useFiltering);
        }

        @Override
        public XContentBuilder newBuilder(MediaType requestContentType, MediaType responseContentType, boolean useFiltering)
            throws java.io.IOException {
            return delegate.newBuilder(requestContentType, responseContentType, useFiltering);
        }

        @Override
        public BytesStreamOutput bytesOutput() {
            return delegate.bytesOutput();
        }

        @Override
        public RestRequest request() {
            return delegate.request();
        }

        @Override
        public boolean detailedErrorsEnabled() {
            return delegate.detailedErrorsEnabled();
        }
    }
}
