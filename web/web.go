package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
)

//go:embed static
var static embed.FS

// Options configure the HTTP handler.
type Options struct {
	Schema *graphql.Schema
	// MaxLoads is the per-request budget of entities and relationships read
	// (schema.Limits.MaxLoads).
	MaxLoads int
	// MaxBody bounds a request body; default 1 MiB.
	MaxBody int64
	// Timeout bounds one GraphQL request; default 10 s.
	Timeout time.Duration
	// MaxConcurrent bounds the GraphQL requests executed at once; others
	// wait up to QueueWait, then get 503. Default 64 and 2 s.
	MaxConcurrent int
	QueueWait     time.Duration
	// Health returns extra fields for /healthz.
	Health func(context.Context) map[string]any
	Log    *slog.Logger
	// Writers are the write tokens mutations and /admin/backup accept
	// (auth.go); nil: the server is read-only.
	Writers *Writers
	// Backup, if set, serves GET /admin/backup to a write token (backup.go).
	Backup BackupFunc
	// Metrics, if set, counts GraphQL errors by code (see Instrument).
	Metrics *Metrics
	// Export, if set, serves GET /export (web/export.go).
	Export *ExportOptions
}

// New returns the handler for all routes.
func New(opt Options) http.Handler {
	if opt.MaxBody == 0 {
		opt.MaxBody = 1 << 20
	}
	if opt.Timeout == 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.MaxConcurrent == 0 {
		opt.MaxConcurrent = 64
	}
	if opt.QueueWait == 0 {
		opt.QueueWait = 2 * time.Second
	}
	if opt.MaxLoads == 0 {
		opt.MaxLoads = schema.DefaultLimits.MaxLoads
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	mux := http.NewServeMux()
	g := &graphqlHandler{opt: opt, slots: make(chan struct{}, opt.MaxConcurrent)}
	mux.Handle("/graphql", g)
	sub, _ := fs.Sub(static, "static")
	assets := http.FileServerFS(sub)
	mux.HandleFunc("GET /graphiql", func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w)
		http.ServeFileFS(w, r, sub, "graphiql/index.html")
	})
	mux.Handle("GET /graphiql/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/graphiql/" {
			http.Redirect(w, r, "/graphiql", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		assets.ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		out := map[string]any{"status": "ok"}
		if opt.Health != nil {
			for k, v := range opt.Health(r.Context()) {
				out[k] = v
			}
		}
		writeJSON(w, http.StatusOK, out)
	})
	if opt.Export != nil {
		mux.Handle("GET /export", newExportHandler(opt, *opt.Export))
	}
	routePage(mux, sub)
	routeAdmin(mux, opt)
	return mux
}

// setPageHeaders sets the security headers of HTML pages: everything comes
// from this server.
func setPageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

type graphqlHandler struct {
	opt   Options
	slots chan struct{}
}

type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

func (h *graphqlHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req gqlRequest
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		req.Query, req.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := json.Unmarshal([]byte(v), &req.Variables); err != nil {
				writeError(w, http.StatusBadRequest, schema.CodeBadUserInput, "variables is not a JSON object")
				return
			}
		}
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxBody)
		ct := r.Header.Get("Content-Type")
		if ct != "" && !strings.HasPrefix(ct, "application/json") {
			writeError(w, http.StatusUnsupportedMediaType, schema.CodeBadUserInput, "send the request as application/json")
			return
		}
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&req); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, schema.CodeBadUserInput, "request body too large")
				return
			}
			writeError(w, http.StatusBadRequest, schema.CodeBadUserInput, "the body is not a JSON GraphQL request")
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, schema.CodeBadUserInput, "use GET or POST")
		return
	}
	if strings.TrimSpace(req.Query) == "" {
		writeError(w, http.StatusBadRequest, schema.CodeBadUserInput, "no query")
		return
	}
	// Bound the work in flight: wait a little for a slot, then refuse.
	wait := time.NewTimer(h.opt.QueueWait)
	select {
	case h.slots <- struct{}{}:
		wait.Stop()
	case <-wait.C:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "TOO_BUSY", "the server is busy; try again")
		return
	case <-r.Context().Done():
		wait.Stop()
		return
	}
	defer func() { <-h.slots }()
	ctx, cancel := context.WithTimeout(r.Context(), h.opt.Timeout)
	defer cancel()
	ctx = schema.WithRequest(ctx, h.opt.MaxLoads)
	ctx, authorized := h.authorize(ctx, w, r)
	if !authorized {
		return
	}
	resp := h.opt.Schema.Exec(ctx, req.Query, req.OperationName, req.Variables)
	for _, e := range resp.Errors {
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		code, _ := e.Extensions["code"].(string)
		switch {
		case ctx.Err() != nil && (code == "" || code == schema.CodeInternal):
			e.Extensions["code"], e.Message = schema.CodeTimeout, "the request took too long and was stopped"
		case code == "":
			// Parse and validation errors (syntax, depth, length, unknown
			// fields) are about the query the user sent.
			e.Extensions["code"] = schema.CodeBadUserInput
		}
	}
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		h.opt.Metrics.CountError(code)
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}}})
}
