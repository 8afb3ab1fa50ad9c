package web

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/schema"
)

// Writers are the write tokens a server accepts, each with a name. The
// name (never the token) is what the audit log records and what logs show.
type Writers struct {
	tokens []writerToken
}

type writerToken struct {
	name string
	hash [sha256.Size]byte
}

var tokenNameRE = regexp.MustCompile(fmt.Sprintf(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,%d}$`, maxTokenName-1))

// ParseWriters reads write tokens: one per line as name:token, or a file
// of a single line holding just a token (named "writer"). Blank lines and
// lines starting with # are skipped. Errors name the line but never show
// a token.
func ParseWriters(text string) (*Writers, error) {
	ws := &Writers{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 4096), maxTokenLine)
	var lines []string
	for sc.Scan() {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("write tokens: %w", err)
	}
	var content []int
	for i, l := range lines {
		if l != "" && !strings.HasPrefix(l, "#") {
			content = append(content, i)
		}
	}
	for _, i := range content {
		name, tok, ok := strings.Cut(lines[i], ":")
		if !ok {
			if len(content) > 1 {
				return nil, fmt.Errorf("write tokens: line %d: want name:token", i+1)
			}
			name, tok = "writer", lines[i]
		}
		name, tok = strings.TrimSpace(name), strings.TrimSpace(tok)
		if !tokenNameRE.MatchString(name) {
			return nil, fmt.Errorf("write tokens: line %d: the name must be letters, digits, . _ @ - (at most %d)", i+1, maxTokenName)
		}
		if seen[name] {
			return nil, fmt.Errorf("write tokens: line %d: name %q appears twice", i+1, name)
		}
		if len(tok) < MinTokenLength {
			return nil, fmt.Errorf("write tokens: line %d: the token of %q is shorter than %d characters", i+1, name, MinTokenLength)
		}
		seen[name] = true
		ws.tokens = append(ws.tokens, writerToken{name: name, hash: sha256.Sum256([]byte(tok))})
	}
	if len(ws.tokens) == 0 {
		return nil, fmt.Errorf("write tokens: none found")
	}
	return ws, nil
}

// LoadWriters reads write tokens from a file (see ParseWriters).
func LoadWriters(path string) (*Writers, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("write token file: %w", err)
	}
	ws, err := ParseWriters(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ws, nil
}

// Names returns the names of the tokens, in the order given.
func (ws *Writers) Names() []string {
	out := make([]string, len(ws.tokens))
	for i, t := range ws.tokens {
		out[i] = t.name
	}
	return out
}

// Authenticate returns the name of the token an Authorization header
// ("Bearer TOKEN") carries. Tokens are compared as SHA-256 hashes with
// crypto/subtle, every one of them, so the time taken says nothing about
// the token or how much of it matched.
func (ws *Writers) Authenticate(header string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	name, found := "", 0
	for _, t := range ws.tokens {
		if subtle.ConstantTimeCompare(h[:], t.hash[:]) == 1 {
			name, found = t.name, 1
		}
	}
	return name, found == 1
}

// authorize puts the request's write access into ctx. A request with an
// Authorization header that names no token is refused here with 401, and
// logged without the header. GET requests never write (a link must not
// change anything).
func (h *graphqlHandler) authorize(ctx context.Context, w http.ResponseWriter, r *http.Request) (context.Context, bool) {
	ws := h.opt.Writers
	if ws == nil {
		return ctx, true // read-only server: mutations answer FORBIDDEN
	}
	hdr := r.Header.Get("Authorization")
	if hdr == "" || r.Method != http.MethodPost {
		return schema.WithWriter(ctx, ""), true
	}
	name, ok := ws.Authenticate(hdr)
	if !ok {
		h.opt.Log.WarnContext(ctx, "graphql: request with an invalid write token refused", "remote", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Bearer realm="sanctionsgraph"`)
		writeError(w, http.StatusUnauthorized, schema.CodeUnauthenticated, "invalid write token")
		return nil, false
	}
	return schema.WithWriter(ctx, name), true
}
