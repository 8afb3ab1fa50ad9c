package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "", stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: sanctionsgraph serve [flags]\n\n%sflags:\n", serveRoutes)
		fs.PrintDefaults()
	}
	db := fs.String("db", "", "store directory (default: "+defaultDBDir()+", with the demo data loaded when empty)")
	addr := fs.String("addr", envOr("SANCTIONSGRAPH_ADDR", "127.0.0.1:8080"), "address to listen on ($SANCTIONSGRAPH_ADDR)")
	demo := fs.Bool("demo", false, "load the demo data if the store is empty (the default without --db)")
	timeout := fs.Duration("timeout", web.DefaultTimeout, "time limit of one GraphQL request")
	maxBody := fs.Int64("max-body", web.DefaultMaxBody, "largest request body, bytes")
	maxVisited := fs.Int("max-visited", schema.DefaultLimits.MaxVisited, "entities one path search may visit")
	maxConcurrent := fs.Int("max-concurrent", web.DefaultMaxConcurrent, "GraphQL requests executed at once")
	maxLoadsInFlight := fs.Int("max-loads-in-flight", web.DefaultMaxLoadsInFlight, "entities and relationships the GraphQL requests executing at once may hold together")
	maxAnswer := fs.Int64("max-answer-mb", web.DefaultMaxAnswer>>20, "largest GraphQL answer, MiB")
	answerMemory := fs.Int64("answer-memory-mb", web.DefaultAnswerMemory>>20, "answers (GraphQL and exports) held in memory at once while they are written, MiB")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	maxMapped := fs.Int64("max-mapped-mb", 512, "bound on the resident pages of the store's mapped files, MiB; past it they are dropped from memory and the page cache, and read from disk again (0: no bound)")
	exportLimit := fs.Int("export-limit", export.DefaultMaxEntities, fmt.Sprintf("entities one GET /export may write at most (relationships: %d times as many)", export.RelationshipsPerEntity))
	gcPercent := fs.Int("gc-percent", 30, "Go GC target (GOGC) unless $GOGC is set: the heap may grow this many percent above the live data")
	writeTokenFile := fs.String("write-token-file", "", "file of write tokens (name:token lines, or one token) for mutations and /admin/backup; default $"+writeTokenEnv+"; without either the server is read-only")
	logFormat := fs.String("log-format", "text", "log format: text (key=value) or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	slowRequest := fs.Duration("slow-request", 2*time.Second, "log requests slower than this at level warn")
	yenteDatasets := fs.String("yente-datasets", "", "comma-separated dataset names the yente-compatible API accepts in its paths (/match/us_ofac_sdn), besides default and sanctions (the whole store)")
	watchInterval := fs.Duration("watch-interval", 10*time.Second, "how often the watchlists are checked against the changes since the last check (findings through the API, runs of other processes); 0: never")
	webhook := fs.String("webhook", "", "POST each new alert of the watchlists as JSON to this URL, retried with back-off until it answers 2xx")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	// Every flag can also be set by environment (SANCTIONSGRAPH_MAX_BODY
	// for --max-body, ...); the command line wins. $SANCTIONSGRAPH_DB is
	// read by defaultDBDir: a store there gets the demo data when empty.
	if err := applyEnv(fs, "db"); err != nil {
		return err
	}
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	if *db == "" {
		*db = defaultDBDir()
		*demo = true
	}
	// The live heap of a server is mostly its graph index, which lives as
	// long as the process: the default GOGC=100 would let the heap reach
	// twice its size before collecting. 30% measured: RSS on the 2M-entity
	// benchmark drops by about 400 MB, path latency does not change.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(*gcPercent)
	}
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*db, 0o755); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db, store.Options{Index: true, RandomAccess: true, MaxMapped: *maxMapped << 20, GCInterval: time.Minute, Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()
	debug.FreeOSMemory() // give back what building the index used and freed
	if *demo {
		if n, _ := st.Index().Counts(); n == 0 {
			if err := loadDemo(ctx, st); err != nil {
				return err
			}
			log.Info("loaded the demo data into the empty store", "db", *db)
		}
	}
	limits := schema.DefaultLimits
	limits.MaxVisited = *maxVisited
	writers, err := loadWriters(*writeTokenFile)
	if err != nil {
		return err
	}
	if writers != nil {
		log.Info("findings: writes enabled", "tokens", writers.Names())
	} else {
		log.Info("findings: read-only (no --write-token-file or $" + writeTokenEnv + ")")
	}
	sch, err := schema.New(st, limits, log, schema.Writable(st, findingsParser{}),
		schema.Watching(st, st, watchlistParser{}))
	if err != nil {
		return err
	}
	metrics := web.NewMetrics(func() map[string]web.Gauge { return storeGauges(st) })
	handler := web.New(web.Options{
		Metrics: metrics,
		Writers: writers,
		Backup:  st.Backup,
		Alerts:  st,
		Export:  &web.ExportOptions{Source: st, MaxEntities: *exportLimit, MaxRelationships: export.RelationshipsPerEntity * *exportLimit, MaxVisited: *maxVisited},
		Yente:   &web.YenteOptions{Source: st, Datasets: splitList(*yenteDatasets)},
		Schema:  sch, MaxLoads: limits.MaxLoads, MaxBody: *maxBody, Timeout: *timeout, MaxConcurrent: *maxConcurrent, Log: log,
		MaxLoadsInFlight: *maxLoadsInFlight, MaxAnswer: *maxAnswer << 20, AnswerMemory: *answerMemory << 20,
		Health: func(context.Context) map[string]any {
			n, l := st.Index().Counts()
			return map[string]any{"entities": n, "relationships": l}
		},
	})
	handler = web.Instrument(handler, metrics, log, *slowRequest)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: web.ReadHeaderTimeout, ReadTimeout: web.ReadTimeout,
		WriteTimeout: *timeout + web.WriteTimeoutGrace, IdleTimeout: web.IdleTimeout, MaxHeaderBytes: web.MaxHeaderBytes,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "sanctionsgraph serving %s on %s\n  investigator's page: %s/\n  GraphiQL: %s/graphiql\n  GraphQL:  %s/graphql\n  exports:  %s/export\n  yente:    %s/match/default\n",
		filepath.Clean(*db), url, url, url, url, url, url)
	wake := make(chan struct{}, 1)
	if *webhook != "" {
		u, err := neturl.Parse(*webhook)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &cli.ExitError{Code: cli.ExitUsage, Msg: "serve: --webhook must be an http or https URL"}
		}
		h := &web.Webhook{URL: *webhook, Feed: st, Log: log}
		if err := h.Start(ctx); err != nil {
			return err
		}
		go h.Run(ctx, wake)
		// The host only: a URL may carry a secret in its path or query.
		log.Info("watch: alerts are posted to the webhook", "host", u.Host)
	}
	if *watchInterval > 0 {
		go watchLoop(ctx, st, *watchInterval, wake, log)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), web.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func loadDemo(ctx context.Context, st *store.Store) (err error) {
	run, err := st.BeginRun(ctx, "demo")
	if err != nil {
		return err
	}
	if _, err := ingest.Demo(ctx, run); err != nil {
		run.Rollback(context.WithoutCancel(ctx), err)
		return err
	}
	return run.Commit(ctx)
}

// splitList reads a comma-separated list, without empty items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// serveRoutes is what serve -h says the server serves.
const serveRoutes = `serve answers, on --addr:
  /             the investigator's page: search, entity, graph, path finder
                with evidence, screening, exposure, exports and reports
  /graphql      GraphQL (POST with a JSON body, or GET with query and variables)
  /graphiql     GraphiQL, served from the binary (works offline)
  /export       a subgraph or the paths between two entities as a file
                (ftm, graphml, csv, cypher, dot, or an html report)
  /match/{dataset}, /search/{dataset}, /entities/{id}
                the yente-compatible matching API
  /healthz, /metrics, /admin/backup (with a write token)

`
