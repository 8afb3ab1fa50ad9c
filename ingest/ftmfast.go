package ingest

import (
	"strings"
	"unicode/utf8"
)

// parseFTMFast reads the common shape of an FtM line into l exactly as
// json.Unmarshal would, and reports whether it could; for anything else it
// returns false having read nothing the caller keeps, and the caller reads
// the line with json.Unmarshal (which reports what is wrong with it).
//
// json.Unmarshal was most of the time of parsing a large FtM file
// (3.2 s of 5 s for 1M lines of the synthetic network, BenchmarkIngest):
// it scans a line twice (validation, then decoding) and decodes through
// reflection. The shape read here is an object of the keys id, schema,
// caption, first_seen, last_seen, last_change (strings), datasets,
// referents (lists of strings) and properties (an object of lists of
// strings), each once, and of other keys json.Unmarshal ignores with a
// simple value ("target": true), with strings that hold no escape, no
// control character and only UTF-8. Anything else (a key twice, a
// number, an escape, a delta line) is left to json.Unmarshal:
// FuzzParseFTMFast checks that what this reads, json.Unmarshal reads the
// same.
func parseFTMFast(b []byte, l *ftmLine) bool {
	p := ftmScanner{b: b}
	p.ws()
	if !p.next('{') {
		return false
	}
	p.ws()
	var e ftmEntity
	if !p.next('}') {
		var seen uint16
		for {
			key, ok := p.plain()
			if !ok {
				return false
			}
			p.ws()
			if !p.next(':') {
				return false
			}
			p.ws()
			var bit uint16
			switch string(key) {
			case "id":
				bit = 1 << 0
				e.ID, ok = p.str()
			case "schema":
				bit = 1 << 1
				e.Schema, ok = p.str()
			case "caption":
				bit = 1 << 2
				e.Caption, ok = p.str()
			case "first_seen":
				bit = 1 << 3
				e.FirstSeen, ok = p.str()
			case "last_seen":
				bit = 1 << 4
				e.LastSeen, ok = p.str()
			case "last_change":
				bit = 1 << 5
				e.LastChange, ok = p.str()
			case "datasets":
				bit = 1 << 6
				e.Datasets, ok = p.list()
			case "referents":
				bit = 1 << 7
				e.Referents, ok = p.list()
			case "properties":
				bit = 1 << 8
				e.Properties, ok = p.props()
			default:
				// A key json.Unmarshal ignores ("target": true): its
				// value is checked, and skipped.
				if !ignoredKey(key) {
					return false
				}
				ok = p.skip()
			}
			if !ok || seen&bit != 0 {
				return false
			}
			seen |= bit
			p.ws()
			if p.next(',') {
				p.ws()
				continue
			}
			if p.next('}') {
				break
			}
			return false
		}
	}
	p.ws()
	if p.i != len(b) {
		return false
	}
	l.ftmEntity = e
	return true
}

// ftmLineKeys are the keys json.Unmarshal reads into an ftmLine.
var ftmLineKeys = []string{"id", "schema", "caption", "properties", "datasets", "referents", "first_seen", "last_seen", "last_change", "sources", "op", "entity"}

// ignoredKey reports whether json.Unmarshal surely ignores key: it is
// ASCII (json.Unmarshal matches keys to fields ignoring case, with Unicode
// folding) and no key of ftmLine in any case.
func ignoredKey(key []byte) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, k := range ftmLineKeys {
		if strings.EqualFold(string(key), k) {
			return false
		}
	}
	return true
}

// skip reads a value json.Unmarshal ignores: true, false, null, a plain
// string or a list of plain strings.
func (p *ftmScanner) skip() bool {
	for _, lit := range []string{"true", "false", "null"} {
		if strings.HasPrefix(string(p.b[p.i:]), lit) {
			p.i += len(lit)
			return true
		}
	}
	if p.i < len(p.b) && p.b[p.i] == '"' {
		_, ok := p.plain()
		return ok
	}
	_, ok := p.list()
	return ok
}

// ftmScanner reads parseFTMFast's shape.
type ftmScanner struct {
	b []byte
	i int
}

func (p *ftmScanner) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// next consumes c if it comes next.
func (p *ftmScanner) next(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// plain reads a string without escapes, control characters or bytes that
// are not UTF-8, and returns its bytes.
func (p *ftmScanner) plain() ([]byte, bool) {
	if !p.next('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

func (p *ftmScanner) str() (string, bool) {
	s, ok := p.plain()
	return string(s), ok
}

// span returns a list of plain strings as it is written, for plainStrings.
func (p *ftmScanner) span() ([]byte, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return nil, false
	}
	start := p.i
	for p.i++; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; c {
		case ']':
			p.i++
			return p.b[start:p.i], true
		case '"':
			for p.i++; p.i < len(p.b) && p.b[p.i] != '"'; p.i++ {
				if p.b[p.i] == '\\' {
					return nil, false
				}
			}
		case ' ', '\t', '\n', '\r', ',':
		default:
			return nil, false
		}
	}
	return nil, false
}

// list reads a list of plain strings as json.Unmarshal reads it into a
// []string (plainStrings, which json.Unmarshal's readers of properties
// use too, checks its syntax).
func (p *ftmScanner) list() ([]string, bool) {
	s, ok := p.span()
	if !ok {
		return nil, false
	}
	return plainStrings(s)
}

// props reads an object of lists of plain strings, each key once.
func (p *ftmScanner) props() (map[string]propValues, bool) {
	if !p.next('{') {
		return nil, false
	}
	m := map[string]propValues{}
	p.ws()
	if p.next('}') {
		return m, true
	}
	for {
		key, ok := p.plain()
		if !ok {
			return nil, false
		}
		p.ws()
		if !p.next(':') {
			return nil, false
		}
		p.ws()
		v, ok := p.list()
		if !ok {
			return nil, false
		}
		if _, dup := m[string(key)]; dup {
			return nil, false
		}
		m[string(key)] = propValues{v: v}
		p.ws()
		if p.next(',') {
			p.ws()
			continue
		}
		if p.next('}') {
			return m, true
		}
		return nil, false
	}
}
