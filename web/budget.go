package web

import "sync/atomic"

// memory is a budget of bytes shared by the requests in flight: the
// answers (GraphQL and exports) held in memory while they are written to
// their clients. A client that reads slowly holds its answer's bytes, not
// an execution or export slot, and the budget bounds what all of them hold
// together. It is safe for concurrent use.
type memory struct {
	max  int64
	used atomic.Int64
}

// take takes n bytes, or reports false (and takes nothing) if fewer are
// left.
func (m *memory) take(n int64) bool {
	if m.used.Add(n) > m.max {
		m.used.Add(-n)
		return false
	}
	return true
}

// give gives back n bytes taken.
func (m *memory) give(n int64) { m.used.Add(-n) }

// inUse returns the bytes held.
func (m *memory) inUse() int64 { return m.used.Load() }
