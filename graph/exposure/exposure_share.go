package exposure

import (
	"fmt"
	"strconv"
	"strings"
)

// Share is an ownership percentage as far as the data states it: somewhere
// between Min and Max (both 0-100). A stated number has Min == Max; a range
// ("25-50%", "more than 25%") has Min < Max; an unknown one is 0 to 100.
type Share struct {
	Min, Max float64
	// Stated is the percentage as the data states it ("" when none).
	Stated string
	// Problem says what is wrong with a stated value that could not be used
	// (outside 0-100, not a number); the share is then unknown.
	Problem string
}

// UnknownShare is a stake whose percentage the data does not state.
var UnknownShare = Share{Min: 0, Max: 100}

// Known reports whether the share is one number.
func (s Share) Known() bool { return s.Min == s.Max }

// String formats the share: "30%", "25% to 50%", "unknown".
func (s Share) String() string {
	switch {
	case s.Known():
		return fmtPct(s.Min)
	case s.Min == 0 && s.Max == 100:
		return "unknown"
	}
	return fmtPct(s.Min) + " to " + fmtPct(s.Max)
}

// fmtPct formats a percentage without needless decimals: 50%, 33.33%.
func fmtPct(f float64) string {
	return strconv.FormatFloat(roundPct(f), 'f', -1, 64) + "%"
}

// roundPct rounds to 4 decimals, enough for any stated percentage and
// free of the float noise of sums (16.7+16.7+16.6).
func roundPct(f float64) float64 {
	const k = 1e4
	if f < 0 {
		return -roundPct(-f)
	}
	return float64(int64(f*k+0.5)) / k
}

// ParseShare reads the values of an FtM percentage property. It accepts
// "50", "50.0", "50%", "50,5", "25-50", "25 to 50", "more than 25",
// "at least 50", "less than 10", "up to 10", "majority". Several values
// give the range they span. Values outside 0-100 and words it does not
// know are reported in Problem and make the share unknown: never a guess.
func ParseShare(values ...string) Share {
	out := Share{Min: -1}
	var stated, problems []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		stated = append(stated, v)
		lo, hi, err := parseShareValue(v)
		if err != "" {
			problems = append(problems, err)
			continue
		}
		if out.Min < 0 || lo < out.Min {
			out.Min = lo
		}
		if hi > out.Max {
			out.Max = hi
		}
	}
	out.Stated = strings.Join(stated, "; ")
	if len(problems) > 0 || out.Min < 0 {
		out.Min, out.Max = UnknownShare.Min, UnknownShare.Max
		out.Problem = strings.Join(problems, "; ")
	}
	return out
}

var (
	sharePrefixAtLeast = []string{">=", "≥", "=>", "at least", "more than", "greater than", "over", "above", "min.", "minimum", ">"}
	sharePrefixAtMost  = []string{"<=", "≤", "=<", "up to", "less than", "under", "below", "max.", "maximum", "<"}
)

// parseShareValue reads one value; err is the problem, "" when none.
func parseShareValue(v string) (lo, hi float64, err string) {
	s := strings.ToLower(strings.TrimSpace(v))
	for _, suf := range []string{"percent", "per cent", "pct", "%"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, suf))
	}
	switch s {
	case "majority", "majority stake", "controlling":
		return 50, 100, "" // "majority" is more than half; 50 is a safe lower bound
	case "minority", "minority stake":
		return 0, 50, ""
	}
	for _, p := range sharePrefixAtLeast {
		if rest, ok := strings.CutPrefix(s, p); ok {
			x, e := parsePctNumber(rest, v)
			return x, 100, e
		}
	}
	for _, p := range sharePrefixAtMost {
		if rest, ok := strings.CutPrefix(s, p); ok {
			x, e := parsePctNumber(rest, v)
			return 0, x, e
		}
	}
	for _, sep := range []string{" to ", "..", "–", "—", "-"} {
		if i := strings.Index(s, sep); i > 0 {
			a, e := parsePctNumber(s[:i], v)
			if e != "" {
				return 0, 0, e
			}
			b, e := parsePctNumber(s[i+len(sep):], v)
			if e != "" {
				return 0, 0, e
			}
			if a > b {
				return 0, 0, fmt.Sprintf("percentage %q is a range whose start is above its end", v)
			}
			return a, b, ""
		}
	}
	x, e := parsePctNumber(s, v)
	return x, x, e
}

func parsePctNumber(s, orig string) (float64, string) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1) // 50,5: a decimal comma
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f { // NaN
		return 0, fmt.Sprintf("percentage %q is not a number", orig)
	}
	if f < 0 || f > 100 {
		return 0, fmt.Sprintf("percentage %q is outside 0-100", orig)
	}
	return f, ""
}
