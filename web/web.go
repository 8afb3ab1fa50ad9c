package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
)

//go:embed static
var static embed.FS

// Options configure the HTTP handler. A zero limit takes its default
// (limits.go).
type Options struct {
	Schema *graphql.Schema
	// MaxLoads is the per-request budget of entities and relationships read
	// (schema.Limits.MaxLoads).
	MaxLoads int
	// MaxBody bounds a request body (DefaultMaxBody).
	MaxBody int64
	// Timeout bounds one GraphQL request and the collecting of one export
	// (DefaultTimeout).
	Timeout time.Duration
	// MaxConcurrent bounds the GraphQL requests executed at once; others
	// wait up to QueueWait, then get 503 (DefaultMaxConcurrent,
	// DefaultQueueWait).
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
	// Metrics, if set, counts GraphQL errors by code and is served at
	// GET /metrics (see Instrument, which fills it).
	Metrics *Metrics
	// Export, if set, serves GET /export (web/export.go).
	Export *ExportOptions
	// Yente, if set, serves the yente-compatible API: POST /match/{dataset},
	// GET /search/{dataset} and GET /entities/{id} (web/yente.go).
	Yente *YenteOptions
}

// graphql serves GET and POST /graphql.
func (s *server) graphql() http.Handler {
	return &graphqlHandler{opt: s.opt, slots: make(chan struct{}, s.opt.MaxConcurrent)}
}

// healthz serves GET /healthz: "status": "ok" and Options.Health's fields.
func (s *server) healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := map[string]any{"status": "ok"}
		if s.opt.Health != nil {
			for k, v := range s.opt.Health(r.Context()) {
				out[k] = v
			}
		}
		writeJSON(w, http.StatusOK, out)
	})
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
		w.Header().Set("Retry-After", retryAfter)
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
