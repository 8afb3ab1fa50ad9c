package graph

import (
	"math"
	"strconv"
	"time"
)

// Day is a date as days since 1970-01-01. Validity bounds use DayMin and
// DayMax for "unknown".
type Day int32

const (
	DayMin Day = math.MinInt32
	DayMax Day = math.MaxInt32
)

// ParseDay reads an FtM date ("2019", "2019-06", "2019-06-19", or with a
// time after the day) as the first day it covers, or with end set, the last.
// It returns false for anything else.
func ParseDay(s string, end bool) (Day, bool) {
	if len(s) > 10 {
		s = s[:10]
	}
	y, m, d := 0, 1, 1
	var err error
	switch len(s) {
	case 4:
		y, err = strconv.Atoi(s)
		if end {
			m, d = 12, 31
		}
	case 7:
		if s[4] != '-' {
			return 0, false
		}
		if y, err = strconv.Atoi(s[:4]); err == nil {
			m, err = strconv.Atoi(s[5:7])
		}
		if end && err == nil {
			d = time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		}
	case 10:
		if s[4] != '-' || s[7] != '-' {
			return 0, false
		}
		if y, err = strconv.Atoi(s[:4]); err == nil {
			if m, err = strconv.Atoi(s[5:7]); err == nil {
				d, err = strconv.Atoi(s[8:10])
			}
		}
	default:
		return 0, false
	}
	if err != nil || y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Month() != time.Month(m) { // 2019-02-31
		return 0, false
	}
	return Day(t.Unix() / 86400), true
}

// IsPartialDate reports whether s is a date as YYYY, YYYY-MM or YYYY-MM-DD
// and a real one (not 2019-02-31): the dates findings, their sources and
// relationship bounds may state. It is the one check of such dates.
func IsPartialDate(s string) bool {
	switch len(s) {
	case 4, 7, 10:
	default:
		return false
	}
	for i := 0; i < len(s); i++ {
		if i == 4 || i == 7 {
			if s[i] != '-' {
				return false
			}
		} else if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	_, ok := ParseDay(s, false)
	return ok
}

// IsDay reports whether s is a real date as YYYY-MM-DD.
func IsDay(s string) bool { return len(s) == 10 && IsPartialDate(s) }

// Today returns the current day.
func Today() Day { return Day(time.Now().UTC().Unix() / 86400) }

// String formats the day as YYYY-MM-DD.
func (d Day) String() string {
	switch d {
	case DayMin:
		return "-inf"
	case DayMax:
		return "+inf"
	}
	return time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02")
}

// Validity returns the days a relationship holds: from its start date (or
// date) to its end date, each unbounded when absent or unreadable.
func (r *Relationship) Validity() (from, to Day) {
	from, to = DayMin, DayMax
	if d, ok := ParseDay(r.StartDate(), false); ok {
		from = d
	}
	if d, ok := ParseDay(r.EndDate(), true); ok {
		to = d
	}
	return from, to
}
