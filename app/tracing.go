package app

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/extra/bunotel"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// serviceName names the portal's spans in the tracing backend.
const serviceName = "svcportal"

// tracing sends a span of every request and, under it, of every database
// query to an OpenTelemetry collector over OTLP/HTTP (PORTAL_TRACES_URL).
// Spans carry the route pattern, the status and the SQL with its
// placeholders — never the values bound to them, cookies or bodies. The
// sampler is the SDK's: every trace, or what OTEL_TRACES_SAMPLER says.
type tracing struct {
	provider *sdktrace.TracerProvider
}

// ValidateTracesURL checks a PORTAL_TRACES_URL: an http or https URL of
// an OTLP/HTTP collector, such as http://collector:4318.
func ValidateTracesURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an http(s) URL of an OTLP collector, such as http://collector:4318", raw)
	}
	return nil
}

// newTracing starts the exporter to the collector at raw (its base URL;
// /v1/traces is added when the URL has no path).
func newTracing(raw string) (*tracing, error) {
	if err := ValidateTracesURL(raw); err != nil {
		return nil, err
	}
	u, _ := url.Parse(raw)
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	exporter, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(u.String()),
		otlptracehttp.WithTimeout(10*time.Second))
	if err != nil {
		return nil, err
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(serviceName)))
	if err != nil {
		return nil, err
	}
	return &tracing{provider: sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))}, nil
}

// middleware opens the request's span, continuing a trace the caller
// started (W3C traceparent). Health checks and /metrics are left out.
func (t *tracing) middleware() gin.HandlerFunc {
	return otelgin.Middleware(serviceName,
		otelgin.WithTracerProvider(t.provider),
		otelgin.WithPropagators(propagation.TraceContext{}),
		otelgin.WithGinFilter(func(c *gin.Context) bool {
			switch c.Request.URL.Path {
			case "/healthz", "/readyz", "/metrics":
				return false
			}
			return true
		}),
		otelgin.WithSpanNameFormatter(func(c *gin.Context) string {
			if route := c.FullPath(); route != "" {
				return c.Request.Method + " " + route
			}
			return c.Request.Method + " (no route)"
		}))
}

// queryHook is the span of every query made for a traced request; the
// background jobs' own queries, which poll all the time, are not traced.
func (t *tracing) queryHook() bun.QueryHook {
	return tracedQueries{bunotel.NewQueryHook(bunotel.WithTracerProvider(t.provider))}
}

type tracedQueries struct{ *bunotel.QueryHook }

func (h tracedQueries) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		// AfterQuery then finds no recording span and does nothing.
		return ctx
	}
	return h.QueryHook.BeforeQuery(ctx, e)
}

// close sends the spans still buffered.
func (t *tracing) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return t.provider.Shutdown(ctx)
}
