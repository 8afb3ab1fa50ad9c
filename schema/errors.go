package schema

import (
	"context"
	"errors"
	"log/slog"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Error codes in the "code" extension of GraphQL errors.
const (
	CodeNotFound       = "NOT_FOUND"
	CodeBadUserInput   = "BAD_USER_INPUT"
	CodeTimeout        = "TIMEOUT"
	CodeResultTooLarge = "RESULT_TOO_LARGE"
	CodeInternal       = "INTERNAL"
	// CodeTooBusy: the server has no room for the request now; the same
	// request may succeed later (HTTP 503 with Retry-After).
	CodeTooBusy = "TOO_BUSY"
	// CodeAmbiguous: an id or name given names several entities; the
	// error's "candidates" extension lists them with their scores.
	CodeAmbiguous = "AMBIGUOUS"
)

// Error is an error shown to the API user, with a code.
type Error struct {
	Code    string
	Message string
	// Candidates are the entities an ambiguous id or name may mean
	// (CodeAmbiguous), best first.
	Candidates []Candidate
}

// Candidate is one entity an ambiguous id or name may mean.
type Candidate struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Kind    string  `json:"kind"`
	Score   float64 `json:"score"`
	Matched string  `json:"matched"`
}

func (e *Error) Error() string { return e.Message }

// Extensions puts the code (and the candidates of an ambiguous id or
// name) into the GraphQL error.
func (e *Error) Extensions() map[string]any {
	x := map[string]any{"code": e.Code}
	if e.Candidates != nil {
		x["candidates"] = e.Candidates
	}
	return x
}

func badInput(msg string) error { return &Error{Code: CodeBadUserInput, Message: msg} }

var (
	errTooLarge = &Error{Code: CodeResultTooLarge, Message: "the result is too large: ask for fewer items or less nesting"}
	errBusy     = &Error{Code: CodeTooBusy, Message: "the server is answering too many large requests at once; try again shortly, or ask for fewer items"}
)

// userError maps a domain error to what the user sees. Internal errors are
// logged and shown as "internal error": their text never leaves the server.
func (r *Resolver) userError(ctx context.Context, err error) error {
	var ue *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ue):
		return ue
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &Error{Code: CodeTimeout, Message: "the request took too long and was stopped"}
	case errors.Is(err, graph.ErrNotFound):
		return &Error{Code: CodeNotFound, Message: "not found"}
	case errors.Is(err, graph.ErrAmbiguous):
		return &Error{Code: CodeAmbiguous, Message: "the id or name names more than one entity; give one of their ids"}
	case errors.Is(err, graph.ErrInvalid):
		return &Error{Code: CodeBadUserInput, Message: "invalid input"}
	}
	r.log.ErrorContext(ctx, "graphql resolver", "err", err)
	return &Error{Code: CodeInternal, Message: "internal error"}
}

// notFound names what was not found; the id is the user's own input.
func notFound(what, id string) error {
	return &Error{Code: CodeNotFound, Message: what + " " + quote(id) + " not found"}
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	b := []byte{'"'}
	for _, r := range s {
		if r < 0x20 || r == '"' || r == '\\' {
			b = append(b, '?')
			continue
		}
		b = append(b, string(r)...)
	}
	return string(append(b, '"'))
}

// panicHandler turns a resolver panic into an internal error, logged.
type panicHandler struct{ log *slog.Logger }

func (p panicHandler) MakePanicError(ctx context.Context, value any) *gqlerrors.QueryError {
	p.log.ErrorContext(ctx, "graphql resolver panic", "panic", value)
	return &gqlerrors.QueryError{Message: "internal error", Extensions: map[string]any{"code": CodeInternal}}
}

type panicLogger struct{ log *slog.Logger }

func (p panicLogger) LogPanic(ctx context.Context, value any) {
	p.log.ErrorContext(ctx, "graphql panic", "panic", value)
}
