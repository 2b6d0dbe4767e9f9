package packages

import (
	"slices"
	"strings"
)

// maxSuggestDistance is the largest edit distance for a "did you mean".
const maxSuggestDistance = 2

// Validate checks the selector keys of the file against the known keys.
// known decides whether a key exists; suggestions are the candidates for
// "did you mean" (typically every known key). When known is nil, a key is
// known if it is in suggestions. A group label that is a known selector key
// is also an error: group labels do not select, so such a group would
// apply to every target, which is almost certainly not what was meant.
func (f *File) Validate(known func(key string) bool, suggestions []string) error {
	if known == nil {
		known = func(key string) bool { return slices.Contains(suggestions, key) }
	}
	ps := &problems{}
	for _, k := range f.keys {
		if known(k.Key) {
			continue
		}
		if s := suggest(k.Key, suggestions); s != "" {
			ps.add(k.Source, ErrUnknownKey, nil, "unknown key %q (did you mean %q?)", k.Key, s)
		} else {
			ps.add(k.Source, ErrUnknownKey, nil, "unknown key %q", k.Key)
		}
	}
	for _, g := range f.groups {
		if known(g.Key) {
			ps.add(g.Source, ErrGroupKey, nil,
				"group key %q is a selector key: group keys are labels and do not select packages", g.Key)
		}
	}
	return ps.err()
}

// suggest returns the candidate closest to key within maxSuggestDistance
// (compared case-insensitively), the first one on ties, or "".
func suggest(key string, candidates []string) string {
	best, bestDist := "", maxSuggestDistance+1
	lk := strings.ToLower(key)
	for _, c := range candidates {
		if c == key {
			continue
		}
		d := distance(lk, strings.ToLower(c))
		if d < bestDist && d < len([]rune(key)) {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
