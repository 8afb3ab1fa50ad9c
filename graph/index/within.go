package index

import (
	"context"

	"github.com/google/uuid"
)

// Within returns the entities within hops of any of from (from included,
// each as the canonical entity of its party), walking relationships in
// either direction and of every kind, valid or not on any day. Authorities
// and programmes are neither returned nor walked through: a change of one
// programme would otherwise reach every entity it designates. It stops
// after maxNodes entities (0: no bound) and reports whether that cut the
// answer. Ids the index does not know are left out.
//
// It answers "which entities could a change of these reach within hops",
// the reverse neighbourhood of a change (the store's watchlists): a search
// from any entity it does not return cannot pass through a changed one in
// hops or fewer.
func (ix *Index) Within(ctx context.Context, from []uuid.UUID, hops, maxNodes int) ([]uuid.UUID, bool, error) {
	release, err := ix.acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	defer release()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	seen := make(map[int32]bool, len(from))
	var level []int32
	for _, id := range from {
		n, ok := ix.linkNum(id, false)
		if !ok || seen[n] || ix.isDesignator(n) {
			continue
		}
		seen[n] = true
		level = append(level, n)
	}
	out := append([]int32(nil), level...)
	truncated := false
	ops := 0
	for depth := 0; depth < hops && len(level) > 0 && !truncated; depth++ {
		var next []int32
		for _, u := range level {
			ops += len(ix.adj[u])
			if ops >= 4096 {
				ops = 0
				if err := ctx.Err(); err != nil {
					return nil, false, err
				}
			}
			for _, l := range ix.adj[u] {
				v := l.Other
				if seen[v] || ix.isDesignator(v) {
					continue
				}
				seen[v] = true
				next = append(next, v)
			}
			if maxNodes > 0 && len(out)+len(next) > maxNodes {
				next = next[:max(0, maxNodes-len(out))]
				truncated = true
				break
			}
		}
		out = append(out, next...)
		level = next
	}
	ids := make([]uuid.UUID, len(out))
	for i, n := range out {
		ids[i] = ix.ids[n]
	}
	return ids, truncated, nil
}
