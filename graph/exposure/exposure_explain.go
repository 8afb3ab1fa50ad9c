package exposure

import (
	"slices"
	"sort"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// DescribeDesignations names designations for a reader, grouped by
// authority: "US OFAC (NPWMD, DPRK3); UN Security Council (1718 Committee)".
func DescribeDesignations(ds []graph.Designation) string {
	var auths []string
	progs := map[string][]string{}
	for _, d := range ds {
		a := d.Authority
		if a == "" {
			a = "an unnamed authority"
		}
		if _, ok := progs[a]; !ok {
			auths = append(auths, a)
			progs[a] = nil
		}
		p := d.Programme
		if p == "" {
			p = d.Reference
		}
		if p != "" && !slices.Contains(progs[a], p) {
			progs[a] = append(progs[a], p)
		}
	}
	parts := make([]string, len(auths))
	for i, a := range auths {
		parts[i] = a
		if len(progs[a]) > 0 {
			parts[i] += " (" + strings.Join(progs[a], ", ") + ")"
		}
	}
	return strings.Join(parts, "; ")
}

// reason says why n is blocked, possibly blocked or not.
func (c *exposureRun) reason(n *expoNode) string {
	if n.unknown && !n.explored && !n.designated() {
		if _, cut := c.cut[n.id]; cut {
			return "not examined: a limit cut the search"
		}
	}
	if n.designated() {
		return "designated by " + DescribeDesignations(n.desig)
	}
	lo, hi := roundPct(n.loPct()), roundPct(maxf(n.hiPct(), n.loPct()))
	var held []string
	var sorted []expoStake
	sorted = append(sorted, n.stakes...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].share.Max > sorted[j].share.Max })
	for _, s := range sorted {
		if s.owner.lo {
			held = append(held, c.name(s.owner.id)+" "+shareText(s.share))
		}
	}
	switch {
	case n.lo:
		r := "owned " + fmtPct(lo)
		if hi > lo {
			r = "owned at least " + fmtPct(lo)
		}
		return r + " by blocked persons (" + strings.Join(held, ", ") + ")"
	case n.hi:
		why := "unknown percentages"
		if n.unknown {
			why = "not every owner could be read"
		}
		r := "possibly blocked: blocked persons hold " + rangeText(lo, hi) + " (" + why + ")"
		if len(held) > 0 {
			r += "; known: " + strings.Join(held, ", ")
		}
		return r
	case lo > 0:
		return "owned " + rangeText(lo, hi) + " by blocked persons (" + strings.Join(held, ", ") + "), below 50%"
	case hi > 0:
		return "not blocked: blocked persons hold at most " + fmtPct(hi)
	case !n.explored && n.depth > 0:
		return "not designated; its owners were not examined"
	}
	return "not designated, and no blocked owner found"
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func rangeText(lo, hi float64) string {
	if hi-lo < 1e-6 {
		return fmtPct(lo)
	}
	return "between " + fmtPct(lo) + " and " + fmtPct(hi)
}

// shareText reads "30%", "an unknown share", "25% to 50%".
func shareText(s Share) string {
	if s.Min == 0 && s.Max == 100 && !s.Known() {
		return "an unknown share"
	}
	return s.String()
}

// Explanation is a readable paragraph: the verdict, each direct stake and
// why it counts or not, control reported apart, limits and data errors.
func (e *Result) Explanation() string {
	nm := func(o OwnerStake) string { return e.Names[o.Owner] }
	var b strings.Builder
	t := e.Names[e.Entity]
	agg := rangeText(e.Percentage, e.MaxPercentage)
	rule := "the 50 Percent Rule"
	if e.Authority != DefaultAuthority {
		rule += " (blocked persons: designated by " + authorityText(e.Authority) + ")"
	}
	switch {
	case e.Designated:
		b.WriteString(t + " is blocked: it is designated by " + DescribeDesignations(e.Designations) + " in its own right. ")
		if e.Percentage > 0 || e.MaxPercentage > 0 {
			b.WriteString("Apart from that, blocked persons hold " + agg + " of it. ")
		}
	case e.Blocked:
		b.WriteString(t + " is blocked under " + rule + ": blocked persons hold " + fmtPct(e.Percentage))
		if !e.Complete {
			b.WriteString(" or more")
		}
		b.WriteString(" of it in aggregate. ")
	case e.PossiblyBlocked:
		b.WriteString(t + " is not shown to be blocked under " + rule + ", but could be: blocked persons hold " + agg + " of it, and the data leaves the rest open. ")
	default:
		if e.MaxPercentage > 0 {
			b.WriteString(t + " is not blocked under " + rule + ": blocked persons hold " + agg + " of it, below 50%. ")
		} else {
			b.WriteString(t + " is not blocked under " + rule + ": no blocked person holds a stake in it, directly or through a blocked entity. ")
		}
	}
	var counted, open, notCounted, ended []string
	for _, o := range e.Owners {
		switch {
		case o.Note == "self-ownership is not counted":
			notCounted = append(notCounted, nm(o)+" holds "+shareText(o.Share)+" of itself, not counted")
		case !o.InForce:
			ended = append(ended, nm(o)+"'s stake of "+shareText(o.Share)+" is not counted ("+o.Note+")")
		case o.Counted:
			counted = append(counted, nm(o)+" ("+o.OwnerReason+") holds "+shareText(o.Share)+" directly")
		case o.OwnerPossiblyBlocked:
			open = append(open, nm(o)+" holds "+shareText(o.Share)+" and may be blocked ("+o.OwnerReason+")")
		default:
			notCounted = append(notCounted, nm(o)+" holds "+shareText(o.Share)+" but is not blocked ("+o.OwnerReason+"), so its stake does not count and nothing held through it carries")
		}
	}
	if len(counted) > 0 {
		b.WriteString(strings.Join(counted, "; "))
		b.WriteString(" -> " + agg + " in aggregate")
		if e.Blocked && !e.Designated {
			b.WriteString(": blocked")
		} else if !e.Blocked && !e.PossiblyBlocked {
			b.WriteString(": below 50%")
		}
		b.WriteString(". ")
	}
	for _, group := range [][]string{open, notCounted, ended} {
		if len(group) > 0 {
			b.WriteString(strings.Join(group, "; ") + ". ")
		}
	}
	for _, k := range e.Controllers {
		b.WriteString("Control, reported apart and not counted under the 50 Percent Rule: " + e.Names[k.Controller] + " (" + k.Reason + ") controls it")
		if k.Blocked {
			b.WriteString("; under a test of ownership or control (EU) that control alone would matter")
		}
		b.WriteString(". ")
	}
	if !e.Complete && len(e.Limits) == 0 && e.MaxPercentage > e.Percentage {
		b.WriteString("Some percentages on the way are unknown or stated as ranges, so the aggregate is only known to lie between " + fmtPct(e.Percentage) + " and " + fmtPct(e.MaxPercentage) + ". ")
	}
	if len(e.Limits) > 0 {
		b.WriteString("A limit cut the search (" + strings.Join(e.Limits, ", ") + "): the answer may be incomplete. ")
	}
	if len(e.DataErrors) > 0 {
		b.WriteString("Data errors, not used: " + strings.Join(e.DataErrors, "; ") + ". ")
	}
	return strings.TrimSpace(b.String())
}

func authorityText(a string) string {
	if a == AnyAuthority {
		return "any authority"
	}
	return a
}
