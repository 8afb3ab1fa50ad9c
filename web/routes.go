package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/schema"
)

// A route is one pattern the server answers.
type route struct {
	// pattern is an http.ServeMux pattern, [METHOD ]PATH; GET also
	// answers HEAD, and a path ending in / is a subtree.
	pattern string
	// name labels the route's requests in metrics and the access log, so
	// that they do not grow a series per URL a client makes up.
	name string
	// quiet routes are neither counted nor logged by Instrument (a
	// scraper asks every few seconds).
	quiet bool
	// handler makes the route's handler, or returns nil when the Options
	// leave the route out.
	handler func(*server) http.Handler
}

// routes is every path the server answers: New registers this table and
// nothing else, and Instrument names requests after it. The limits of each
// route are in limits.go.
var routes = []route{
	// GraphQL over GET (read only) and POST: Options.MaxBody, Timeout
	// (from arrival, queueing included), MaxConcurrent and QueueWait,
	// MaxLoads and MaxLoadsInFlight, MaxAnswer and AnswerMemory,
	// MaxErrors, answerWriteTime, schema.Limits. The handler checks the
	// method, to answer others with a GraphQL error.
	{pattern: "/graphql", name: "/graphql", handler: (*server).graphql},
	// GraphiQL and its bundle (web/static/graphiql).
	{pattern: "GET /graphiql", name: "/graphiql", handler: (*server).graphiqlPage},
	{pattern: "GET /graphiql/", name: "/graphiql/*", handler: (*server).graphiqlAssets},
	// The investigator's page and its bundle (web/static/app).
	{pattern: "GET /{$}", name: "/", handler: (*server).page},
	{pattern: "GET /app/", name: "/assets", handler: (*server).pageAssets},
	{pattern: "GET /healthz", name: "/healthz", handler: (*server).healthz},
	// Prometheus metrics, with Options.Metrics.
	{pattern: "GET /metrics", name: "/metrics", quiet: true, handler: (*server).metrics},
	// Downloads of a subgraph, with Options.Export: ExportOptions bounds,
	// Options.Timeout to collect; a slot to collect and encode, none to
	// write; AnswerMemory to hold the encoded export; exportWriteTime to
	// write it, exportWriteIdle for each writeChunk.
	{pattern: "GET /export", name: "/export", handler: (*server).export},
	// An online backup for a write token, with Options.Backup: no write
	// deadline.
	{pattern: "GET /admin/backup", name: "/admin/*", handler: (*server).backup},
	// The watchlists' alerts as JSON lines, with Options.Alerts: at most
	// maxFeedAlerts a request, Options.Timeout.
	{pattern: "GET /alerts.jsonl", name: "/alerts.jsonl", handler: (*server).alertFeed},
	// The yente-compatible API, with Options.Yente: the limits of GraphQL
	// reads (Options.MaxBody, Timeout, MaxConcurrent, QueueWait) and those
	// of yente.go. /match checks the method, to answer others in yente's
	// shape.
	{pattern: "/match/", name: "/match/*", handler: (*server).yenteMatch},
	{pattern: "GET /search/", name: "/search/*", handler: (*server).yenteSearch},
	{pattern: "GET /entities/", name: "/entities/*", handler: (*server).yenteEntity},
}

// server is what the routes' handlers share: the Options, with their
// defaults filled in, and the embedded assets.
type server struct {
	opt    Options
	static fs.FS // web/static
	// loads and mem are the budgets the requests in flight share
	// (Options.MaxLoadsInFlight, Options.AnswerMemory).
	loads *schema.Budget
	mem   *memory
}

// New returns the handler of every route in the routes table that opt
// enables.
func New(opt Options) http.Handler {
	if opt.MaxBody == 0 {
		opt.MaxBody = DefaultMaxBody
	}
	if opt.Timeout == 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.MaxConcurrent == 0 {
		opt.MaxConcurrent = DefaultMaxConcurrent
	}
	if opt.QueueWait == 0 {
		opt.QueueWait = DefaultQueueWait
	}
	if opt.MaxLoads == 0 {
		opt.MaxLoads = schema.DefaultLimits.MaxLoads
	}
	if opt.MaxLoadsInFlight == 0 {
		opt.MaxLoadsInFlight = DefaultMaxLoadsInFlight
	}
	if opt.MaxAnswer == 0 {
		opt.MaxAnswer = DefaultMaxAnswer
	}
	if opt.AnswerMemory == 0 {
		opt.AnswerMemory = DefaultAnswerMemory
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	sub, _ := fs.Sub(static, "static")
	s := &server{opt: opt, static: sub, loads: schema.NewBudget(opt.MaxLoadsInFlight, readersPerCPU*runtime.GOMAXPROCS(0)), mem: &memory{max: opt.AnswerMemory}}
	opt.Metrics.watch(s)
	mux := http.NewServeMux()
	for _, rt := range routes {
		if h := rt.handler(s); h != nil {
			mux.Handle(rt.pattern, h)
		}
	}
	return mux
}

// lookupRoute returns the route that answers path, if one does (whether
// or not the server's Options enable it).
func lookupRoute(path string) (route, bool) {
	for _, rt := range routes {
		p := rt.pattern
		if i := strings.IndexByte(p, ' '); i >= 0 {
			p = p[i+1:]
		}
		switch {
		case strings.HasSuffix(p, "/{$}"):
			if path == strings.TrimSuffix(p, "{$}") {
				return rt, true
			}
		case strings.HasSuffix(p, "/"):
			if strings.HasPrefix(path, p) {
				return rt, true
			}
		case path == p:
			return rt, true
		}
	}
	return route{}, false
}
