package web_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestPage checks the investigator's page without a browser: served at /
// with its security headers, every script and stylesheet from this server,
// the assets there, a link to GraphiQL.
func TestPage(t *testing.T) {
	srv := server(t, nil)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, page := get("/")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	if !strings.Contains(page, `href="/graphiql"`) {
		t.Errorf("the page has no link to /graphiql")
	}
	// No inline script (the CSP would block it) and nothing from elsewhere.
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(page) {
		t.Errorf("the page has an inline script")
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"#]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("page references %v", refs)
	}
	for _, m := range refs {
		ref := m[1]
		if strings.Contains(ref, "//") {
			t.Errorf("the page loads %s from elsewhere", ref)
			continue
		}
		if !strings.HasPrefix(ref, "/app/") {
			continue
		}
		resp, body := get(ref)
		if resp.StatusCode != http.StatusOK || len(body) < 1000 {
			t.Errorf("GET %s = %d, %d bytes", ref, resp.StatusCode, len(body))
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s without nosniff", ref)
		}
		if strings.HasSuffix(ref, ".js") && (strings.Contains(body, "https://unpkg.com") || strings.Contains(body, "fonts.googleapis")) {
			t.Errorf("%s loads from a CDN", ref)
		}
	}
	for _, p := range []string{"/app/", "/app/index.html"} {
		if resp, _ := get(p); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/" {
			t.Errorf("GET %s = %d to %q, want a redirect to /", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, _ := get("/app/nope.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /app/nope.js = %d", resp.StatusCode)
	}
}
