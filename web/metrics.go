package web

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics counts what the server does and writes it in the Prometheus text
// exposition format (version 0.0.4) at /metrics.
//
// The format is written by hand rather than with the Prometheus client
// library: a few counters, one histogram family and some gauges are about
// a hundred lines, and the client library would bring a dozen modules into
// a binary that investigators install offline.
type Metrics struct {
	mu       sync.Mutex
	requests map[reqKey]uint64       // by route, method and status
	latency  map[string]*histogram   // by route
	errors   map[string]uint64       // GraphQL errors by code
	inFlight atomic.Int64            // requests being served
	gauges   func() map[string]Gauge // read at each scrape
	budgets  func() map[string]Gauge // the server's shared budgets (New)
	started  time.Time
}

type reqKey struct {
	route, method string
	status        int
}

// Gauge is a value read when /metrics is scraped.
type Gauge struct {
	Help  string
	Value float64
}

// latencyBuckets are the upper bounds of the request-duration histogram, in
// seconds: path queries answer in about a millisecond, exports and hostile
// queries take up to the request timeout.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	i := sort.SearchFloat64s(latencyBuckets, v)
	h.counts[i]++
	h.sum += v
	h.n++
}

// NewMetrics returns empty metrics. gauges, if not nil, is called at each
// scrape for values such as the store's size and entity count; its keys are
// metric names.
func NewMetrics(gauges func() map[string]Gauge) *Metrics {
	return &Metrics{requests: map[reqKey]uint64{}, latency: map[string]*histogram{}, errors: map[string]uint64{},
		gauges: gauges, started: time.Now()}
}

// watch has the metrics show the server's shared budgets in use.
func (m *Metrics) watch(s *server) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.budgets = func() map[string]Gauge {
		return map[string]Gauge{
			"sanctionsgraph_graphql_loads_in_flight": {Help: "Entities and relationships held by the GraphQL requests executing (of Options.MaxLoadsInFlight).", Value: float64(s.loads.InUse())},
			"sanctionsgraph_answer_bytes_held":       {Help: "Bytes of answers held in memory while they are written (of Options.AnswerMemory).", Value: float64(s.mem.inUse())},
		}
	}
}

// CountError records a GraphQL error by its code; the GraphQL handler calls
// it for every error it answers.
func (m *Metrics) CountError(code string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.errors[code]++
	m.mu.Unlock()
}

func (m *Metrics) observe(rt, method string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqKey{rt, method, status}]++
	h := m.latency[rt]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		m.latency[rt] = h
	}
	h.observe(d.Seconds())
}

// WriteTo writes the metrics in the Prometheus text format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	bw := &countingWriter{w: bufio.NewWriter(w)}
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b reqKey) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		if c := strings.Compare(a.method, b.method); c != 0 {
			return c
		}
		return a.status - b.status
	})
	fmt.Fprintln(bw, "# HELP sanctionsgraph_http_requests_total HTTP requests answered, by route, method and status.")
	fmt.Fprintln(bw, "# TYPE sanctionsgraph_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(bw, "sanctionsgraph_http_requests_total{route=%q,method=%q,status=\"%d\"} %d\n", k.route, k.method, k.status, m.requests[k])
	}
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	fmt.Fprintln(bw, "# HELP sanctionsgraph_http_request_duration_seconds Time to answer an HTTP request, by route.")
	fmt.Fprintln(bw, "# TYPE sanctionsgraph_http_request_duration_seconds histogram")
	for _, r := range routes {
		h := m.latency[r]
		var cum uint64
		for i, ub := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(bw, "sanctionsgraph_http_request_duration_seconds_bucket{route=%q,le=\"%s\"} %d\n", r, strconv.FormatFloat(ub, 'g', -1, 64), cum)
		}
		cum += h.counts[len(latencyBuckets)]
		fmt.Fprintf(bw, "sanctionsgraph_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, cum)
		fmt.Fprintf(bw, "sanctionsgraph_http_request_duration_seconds_sum{route=%q} %s\n", r, formatFloat(h.sum))
		fmt.Fprintf(bw, "sanctionsgraph_http_request_duration_seconds_count{route=%q} %d\n", r, h.n)
	}
	codes := make([]string, 0, len(m.errors))
	for c := range m.errors {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	fmt.Fprintln(bw, "# HELP sanctionsgraph_graphql_errors_total GraphQL errors answered, by code.")
	fmt.Fprintln(bw, "# TYPE sanctionsgraph_graphql_errors_total counter")
	for _, c := range codes {
		fmt.Fprintf(bw, "sanctionsgraph_graphql_errors_total{code=%q} %d\n", c, m.errors[c])
	}
	m.mu.Unlock()
	fmt.Fprintln(bw, "# HELP sanctionsgraph_http_requests_in_flight HTTP requests being answered.")
	fmt.Fprintln(bw, "# TYPE sanctionsgraph_http_requests_in_flight gauge")
	fmt.Fprintf(bw, "sanctionsgraph_http_requests_in_flight %d\n", m.inFlight.Load())
	fmt.Fprintln(bw, "# HELP sanctionsgraph_uptime_seconds Seconds since the server started.")
	fmt.Fprintln(bw, "# TYPE sanctionsgraph_uptime_seconds gauge")
	fmt.Fprintf(bw, "sanctionsgraph_uptime_seconds %s\n", formatFloat(time.Since(m.started).Seconds()))
	m.mu.Lock()
	budgets := m.budgets
	m.mu.Unlock()
	if m.gauges != nil || budgets != nil {
		g := map[string]Gauge{}
		for _, f := range []func() map[string]Gauge{m.gauges, budgets} {
			if f != nil {
				maps.Copy(g, f())
			}
		}
		names := make([]string, 0, len(g))
		for n := range g {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", n, g[n].Help, n, n, formatFloat(g[n].Value))
		}
	}
	err := bw.w.(*bufio.Writer).Flush()
	return bw.n, err
}

// metrics serves GET /metrics from Options.Metrics, in the Prometheus text
// format.
func (s *server) metrics() http.Handler {
	m := s.opt.Metrics
	if m == nil {
		return nil
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.WriteTo(w)
	})
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Instrument wraps h so that every request is counted in m, timed and
// written to the access log (method, route, path, status, bytes, duration,
// client address; never the query string or headers, which may carry
// tokens). Requests are labelled with the name of their route in the
// routes table, and quiet routes (GET /metrics, which New serves from
// Options.Metrics) are passed through uncounted. Requests that take longer
// than slow are logged at level Warn.
func Instrument(h http.Handler, m *Metrics, log *slog.Logger, slow time.Duration) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := lookupRoute(r.URL.Path)
		if ok && rt.quiet {
			h.ServeHTTP(w, r)
			return
		}
		name := "other"
		if ok {
			name = rt.name
		}
		start := time.Now()
		m.inFlight.Add(1)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			m.inFlight.Add(-1)
			// The time to answer is to the last byte handed to the
			// connection: a GraphQL handler may return later, once the
			// execution it answered TIMEOUT for has unwound. A response
			// that failed took until the handler gave up.
			end := rec.last
			if end.IsZero() || rec.err != nil {
				end = time.Now()
			}
			d := end.Sub(start)
			// Log what was sent: a response that could not be written
			// whole (the client went away, or stopped reading past the
			// write deadline) is logged and counted as 499, the status
			// nginx gives a request its client closed, with the status
			// the handler meant to send.
			status := rec.status
			attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", name), slog.String("path", clipPath(r.URL.Path))}
			if rec.err != nil || !rec.wroteHeader && r.Context().Err() != nil {
				status = StatusClientClosed
				attrs = append(attrs, slog.Int("answered", rec.status))
				if rec.err != nil {
					attrs = append(attrs, slog.String("err", rec.err.Error()))
				}
			}
			m.observe(name, r.Method, status, d)
			level := slog.LevelInfo
			if slow > 0 && d > slow || status == StatusClientClosed {
				level = slog.LevelWarn
			}
			if status >= 500 && status != StatusClientClosed {
				level = slog.LevelError
			}
			attrs = append(attrs, slog.Int("status", status), slog.Int64("bytes", rec.bytes),
				slog.Float64("ms", float64(d.Microseconds())/1000), slog.String("remote", clientHost(r.RemoteAddr)))
			log.LogAttrs(r.Context(), level, "request", attrs...)
		}()
		h.ServeHTTP(rec, r)
	})
}

func clipPath(p string) string {
	if len(p) > maxLoggedPath {
		return p[:maxLoggedPath] + "..."
	}
	return p
}

func clientHost(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// StatusClientClosed is the status the access log and the metrics give a
// response that could not be written whole (nginx's 499).
const StatusClientClosed = 499

// statusRecorder remembers the status and size of a response, and the
// first error writing it.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64 // written without error
	wroteHeader bool
	err         error
	last        time.Time // of the last write or flush without error
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	s.wroteHeader = true
	n, err := s.ResponseWriter.Write(p)
	if err != nil && s.err == nil {
		s.err = err
	}
	if s.err == nil {
		s.bytes += int64(n)
		s.last = time.Now()
	}
	return n, err
}

// Flush lets streaming handlers (exports) flush through the recorder.
func (s *statusRecorder) Flush() { s.FlushError() }

// FlushError flushes, recording an error; http.ResponseController.Flush
// calls it.
func (s *statusRecorder) FlushError() error {
	err := http.NewResponseController(s.ResponseWriter).Flush()
	if err != nil && s.err == nil && !errors.Is(err, http.ErrNotSupported) {
		s.err = err
	}
	if s.err == nil && s.wroteHeader {
		s.last = time.Now()
	}
	return err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
