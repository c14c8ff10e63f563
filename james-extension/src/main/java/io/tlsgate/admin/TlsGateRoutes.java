package io.tlsgate.admin;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;

import spark.Request;
import spark.Response;
import spark.Route;
import spark.Service;

/**
 * TLS Gate's WebAdmin routes, under {@code /tlsgate}, listed in {@code conf/webadmin.properties}:
 * {@code extensions.routes=io.tlsgate.admin.TlsGateRoutes}. Authenticated like every WebAdmin route (JWT when
 * {@code jwt.enabled=true}). JSON out; errors in WebAdmin's JSON error format.
 */
public class TlsGateRoutes implements Routes {
    public static final String BASE = "/tlsgate";
    /** WebAdmin does not name 422: the reload answer when an edit was refused. */
    static final int UNPROCESSABLE_ENTITY = 422;

    private final TlsGateViews views;
    private final JsonTransformer json = new JsonTransformer();

    @Inject
    public TlsGateRoutes(TlsGateViews views) {
        this.views = views;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE + "/policies", (request, response) -> views.policies(), json);
        service.get(BASE + "/inbound/effective", checked((request, response) -> views.effectiveInbound(request.queryParams("address"),
            request.queryParams("host"), request.queryParams("helo"), request.queryParams("listener"))), json);
        service.get(BASE + "/outbound/effective", checked((request, response) -> views.effectiveOutbound(request.queryParams("recipient"),
            request.queryParams("domain"), request.queryParams("mx"), request.queryParams("mxAddress"), request.queryParams("mailet"))), json);
        service.post(BASE + "/probe", checked((request, response) -> views.probe(request.queryParams("domain"), request.queryParams("host"),
            request.queryParams("port"), request.queryParams("recipient"), request.queryParams("mailet"))), json);
        service.post(BASE + "/reload", this::reload, json);
        service.get(BASE + "/refusals", checked((request, response) -> views.refusals(request.queryParams("limit"))), json);
    }

    private Object reload(Request request, Response response) {
        TlsGateViews.Reload reload = views.reload();
        response.status(reload.refused() ? UNPROCESSABLE_ENTITY : HttpStatus.OK_200);
        return reload.view();
    }

    /** A route whose bad input becomes WebAdmin's JSON error: 400, or 404 for an unknown listener or mailet. */
    private static Route checked(Route route) {
        return (request, response) -> {
            try {
                return route.handle(request, response);
            } catch (BadQuery e) {
                throw ErrorResponder.builder()
                    .statusCode(e.unknownName() ? HttpStatus.NOT_FOUND_404 : HttpStatus.BAD_REQUEST_400)
                    .type(e.unknownName() ? ErrorResponder.ErrorType.NOT_FOUND : ErrorResponder.ErrorType.INVALID_ARGUMENT)
                    .message(e.getMessage())
                    .haltError();
            }
        };
    }
}
