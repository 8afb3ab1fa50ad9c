package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
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
	// MaxLoadsInFlight bounds the entities and relationships all GraphQL
	// requests executing at once hold (DefaultMaxLoadsInFlight); a request
	// that finds none left is stopped with TOO_BUSY.
	MaxLoadsInFlight int
	// MaxAnswer bounds one GraphQL answer, in bytes (DefaultMaxAnswer); a
	// larger one is replaced by a RESULT_TOO_LARGE error.
	MaxAnswer int64
	// AnswerMemory bounds the bytes of the answers, GraphQL and exports,
	// held in memory at once while they are written (DefaultAnswerMemory);
	// past it a request gets 503 TOO_BUSY.
	AnswerMemory int64
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
	// Alerts, if set, serves GET /alerts.jsonl: the watchlists' alerts
	// as JSON lines after a cursor, for batch systems.
	Alerts AlertFeed
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
	return &graphqlHandler{opt: s.opt, slots: make(chan struct{}, s.opt.MaxConcurrent), loads: s.loads, mem: s.mem}
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
	loads *schema.Budget // Options.MaxLoadsInFlight
	mem   *memory        // Options.AnswerMemory, shared with exports
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
	h.execute(w, r, req)
}

// execute runs one GraphQL request within the time limit, which counts
// from the request's arrival (waiting for an execution slot is part of
// it). When the limit passes, it answers TIMEOUT at once, even if the
// execution is still unwinding (issue 13: answers came up to 20 s late
// under concurrent fan-out, or never). Only a mutation that has started to
// write is waited for, as its answer says whether the change was made.
// The handler returns once the execution has ended, so that the slot
// bounds the work in flight and a server shutting down waits for it.
func (h *graphqlHandler) execute(w http.ResponseWriter, r *http.Request, req gqlRequest) {
	ctx, cancel := context.WithTimeout(r.Context(), h.opt.Timeout)
	defer cancel()
	// Bound the work in flight: wait a little for a slot, then refuse.
	wait := time.NewTimer(h.opt.QueueWait)
	select {
	case h.slots <- struct{}{}:
		wait.Stop()
	case <-wait.C:
		w.Header().Set("Retry-After", retryAfter)
		writeError(w, http.StatusServiceUnavailable, schema.CodeTooBusy, "the server is busy; try again")
		return
	case <-ctx.Done():
		wait.Stop()
		if r.Context().Err() == nil {
			h.opt.Metrics.CountError(schema.CodeTimeout)
			writeError(w, http.StatusOK, schema.CodeTimeout, timeoutMessage)
		}
		return
	}
	defer func() { <-h.slots }()
	ctx, authorized := h.authorize(ctx, w, r)
	if !authorized {
		return
	}
	ectx, done := schema.WithRequestBudget(ctx, h.opt.MaxLoads, h.loads)
	defer done()
	answer := make(chan *graphql.Response, 1)
	go func() { answer <- h.opt.Schema.Exec(ectx, req.Query, req.OperationName, req.Variables) }()
	resp := h.await(ctx, ectx, answer)
	if resp == nil {
		if r.Context().Err() == nil {
			// Answer now; the connection is not reused, as the handler
			// returns only once the execution has unwound.
			h.opt.Metrics.CountError(schema.CodeTimeout)
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusOK, schema.CodeTimeout, timeoutMessage)
			http.NewResponseController(w).Flush()
		}
		<-answer
		return
	}
	if r.Context().Err() != nil {
		return // the client has gone
	}
	if e := schema.Stopped(ectx); e != nil {
		// The execution was stopped for reading too much: its errors are
		// only the context's, and it returned no data.
		resp = &graphql.Response{Errors: []*gqlerrors.QueryError{{Message: e.Message, Extensions: map[string]any{"code": e.Code}}}}
	}
	h.respond(ctx, w, resp)
}

// await returns the answer of the execution of ectx, or nil if ctx's time
// runs out first, unless a mutation of the execution has started to write.
func (h *graphqlHandler) await(ctx, ectx context.Context, answer <-chan *graphql.Response) *graphql.Response {
	select {
	case resp := <-answer:
		return resp
	case <-ctx.Done():
	}
	select {
	case resp := <-answer: // ready at the same time: take it
		return resp
	default:
	}
	if schema.Writing(ectx) {
		return <-answer
	}
	return nil
}

// timeoutMessage is the message of a TIMEOUT answer.
const timeoutMessage = "the request took too long and was stopped"

// respond writes the answer of an execution: its errors coded and capped
// at MaxErrors, and the whole answer capped at Options.MaxAnswer and held
// against the server's answer memory while it is written.
func (h *graphqlHandler) respond(ctx context.Context, w http.ResponseWriter, resp *graphql.Response) {
	for _, e := range resp.Errors {
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		code, _ := e.Extensions["code"].(string)
		switch {
		case ctx.Err() != nil && (code == "" || code == schema.CodeInternal):
			e.Extensions["code"], e.Message = schema.CodeTimeout, timeoutMessage
		case code == "":
			// Parse and validation errors (syntax, depth, length, unknown
			// fields) are about the query the user sent.
			e.Extensions["code"] = schema.CodeBadUserInput
		}
	}
	if n := len(resp.Errors); n > MaxErrors {
		resp.Errors = append(resp.Errors[:MaxErrors:MaxErrors], &gqlerrors.QueryError{
			Message:    fmt.Sprintf("%d more errors were left out", n-MaxErrors),
			Extensions: map[string]any{"code": schema.CodeResultTooLarge, "errorsLeftOut": n - MaxErrors},
		})
	}
	// The answer is graphql.Response's encoding, {"errors":[...],"data":{...}}
	// with either left out when empty; the data, which graphql-go made as
	// JSON, is written as it is rather than copied into a second buffer.
	var parts [][]byte
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			h.opt.Log.ErrorContext(ctx, "graphql: encoding errors", "err", err)
			writeError(w, http.StatusInternalServerError, schema.CodeInternal, "internal error")
			return
		}
		parts = append(parts, []byte(`"errors":`), errs)
	}
	if len(resp.Data) > 0 || len(resp.Errors) == 0 {
		data := resp.Data
		if len(data) == 0 {
			data = []byte("null")
		}
		if len(parts) > 0 {
			parts = append(parts, []byte(","))
		}
		parts = append(parts, []byte(`"data":`), data)
	}
	parts = append(append([][]byte{[]byte("{")}, parts...), []byte("}"))
	var size int64
	for _, p := range parts {
		size += int64(len(p))
	}
	switch {
	case size > h.opt.MaxAnswer:
		h.opt.Metrics.CountError(schema.CodeResultTooLarge)
		writeError(w, http.StatusOK, schema.CodeResultTooLarge, fmt.Sprintf("the answer is too large (more than %d MiB): ask for fewer items or fields", h.opt.MaxAnswer>>20))
		return
	case !h.mem.take(size):
		h.opt.Metrics.CountError(schema.CodeTooBusy)
		w.Header().Set("Retry-After", retryAfter)
		writeError(w, http.StatusServiceUnavailable, schema.CodeTooBusy, "the server is sending too many large answers at once; try again shortly")
		return
	}
	defer h.mem.give(size)
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		h.opt.Metrics.CountError(code)
	}
	status := http.StatusOK
	if len(resp.Data) == 0 && len(resp.Errors) == 1 && resp.Errors[0].Extensions["code"] == schema.CodeTooBusy {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", retryAfter)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Length", strconv.FormatInt(size, 10))
	// The time to write starts now, not at the request's arrival: the
	// server's WriteTimeout would otherwise cut an answer made late in the
	// time limit, and the client would get a closed connection.
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Now().Add(answerWriteTime))
	w.WriteHeader(status)
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return // the access log says so
		}
	}
	rc.Flush()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}}})
}
