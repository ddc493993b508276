package app

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are what /metrics exposes, in a registry of the app's own (an
// app per test would clash in the global one).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
}

func newMetrics(a *App) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portal_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "portal_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern and method.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portal_job_runs_total", Help: "Rounds of background jobs, by job and result (ok or error).",
	}, []string{"job", "result"})
	m.reg.MustRegister(m.requests, m.latency, m.jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), &stateCollector{a: a})
	for role, stats := range a.Store.Pools() {
		m.reg.MustRegister(poolMetrics(role, stats)...)
	}
	admission := func() (working, queued int) {
		if a.Web == nil {
			return 0, 0
		}
		return a.Web.Admission()
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "portal_http_requests_working",
			Help: "Requests on tenants' hosts holding one of the slots of work (two per CPU; see web/admission.go)."},
			func() float64 { working, _ := admission(); return float64(working) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "portal_http_requests_queued",
			Help: "Requests on tenants' hosts waiting for a slot of work, first come, first served."},
			func() float64 { _, queued := admission(); return float64(queued) }))
	return m
}

// observe counts a request and its latency under its route pattern (not
// its path: ticket numbers would make a series per ticket).
func (m *metrics) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

// jobRan counts a round of a background job.
func (a *App) jobRan(job string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	a.metrics.jobs.WithLabelValues(job, result).Inc()
}

// MetricsHandler answers /metrics in Prometheus's text format to requests
// from loopback, or bearing token when one is configured.
func (a *App) MetricsHandler(token string) http.Handler {
	h := promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !metricsAllowed(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized\n", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// metricsAllowed: a loopback peer, or the bearer token when one is set
// (as SPEC says). A request through a reverse proxy on the same host comes
// from loopback too: such a proxy must not pass /metrics on
// (docs/deploy.md).
func metricsAllowed(r *http.Request, token string) bool {
	if token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) == 1 {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// stateCollector reads the outbox and the search queue at each scrape.
type stateCollector struct{ a *App }

var (
	descOutboxDepth = prometheus.NewDesc("portal_outbox_pending", "Emails waiting for delivery.", nil, nil)
	descOutboxAge   = prometheus.NewDesc("portal_outbox_oldest_pending_age_seconds", "Age of the oldest email waiting for delivery (0 when none).", nil, nil)
	descSearchQueue = prometheus.NewDesc("portal_search_queue_length", "Knowledge-base changes not yet applied to the search index.", nil, nil)
	descIndexHeld   = prometheus.NewDesc("portal_search_index_held", "1 when this instance holds the search index lease.", nil, nil)
	descScrapeError = prometheus.NewDesc("portal_state_scrape_errors", "1 when the database could not be read for this scrape.", nil, nil)
)

func (s *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOutboxDepth, descOutboxAge, descSearchQueue, descIndexHeld, descScrapeError} {
		ch <- d
	}
}

func (s *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	failed := 0.0
	pending, oldest, err := s.a.Store.OutboxStats(ctx)
	if err != nil {
		failed = 1
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(0, s.a.now().Sub(oldest).Seconds())
	}
	queued, err := s.a.Store.SearchQueueLen(ctx)
	if err != nil {
		failed = 1
	}
	held := 0.0
	if s.a.holdsIndex() {
		held = 1
	}
	ch <- prometheus.MustNewConstMetric(descOutboxDepth, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(descOutboxAge, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(descSearchQueue, prometheus.GaugeValue, float64(queued))
	ch <- prometheus.MustNewConstMetric(descIndexHeld, prometheus.GaugeValue, held)
	ch <- prometheus.MustNewConstMetric(descScrapeError, prometheus.GaugeValue, failed)
}

// poolMetrics are the figures of a connection pool under the names of
// Prometheus's database/sql collector (go_sql_*{db_name=role}), read from
// stats: the store lends its connections itself, first come, first served,
// so database/sql's own figures would count lendings, not connections.
func poolMetrics(role string, stats func() sql.DBStats) []prometheus.Collector {
	labels := prometheus.Labels{"db_name": role}
	gauge := func(name, help string, v func(sql.DBStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return v(stats()) })
	}
	counter := func(name, help string, v func(sql.DBStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return v(stats()) })
	}
	return []prometheus.Collector{
		gauge("go_sql_max_open_connections", "Maximum number of open connections to the database.",
			func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
		gauge("go_sql_open_connections", "The number of established connections both in use and idle.",
			func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
		gauge("go_sql_in_use_connections", "The number of connections currently in use.",
			func(s sql.DBStats) float64 { return float64(s.InUse) }),
		gauge("go_sql_idle_connections", "The number of idle connections.",
			func(s sql.DBStats) float64 { return float64(s.Idle) }),
		counter("go_sql_wait_count_total", "The total number of connections waited for.",
			func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
		counter("go_sql_wait_duration_seconds_total", "The total time blocked waiting for a new connection.",
			func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
	}
}
