package solve

import (
	"fmt"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// stepLogLines is how many lines of a failed step's output an error quotes.
const stepLogLines = 15

// stepLogs keeps the last lines every step printed, so that an error can
// say what the failing step said, whatever the progress mode: BuildKit's
// own error only says that a process exited non-zero.
type stepLogs struct {
	mu      sync.Mutex
	names   map[digest.Digest]string
	lines   map[digest.Digest][]string
	partial map[digest.Digest]string
	failed  []digest.Digest
}

func newStepLogs() *stepLogs {
	return &stepLogs{names: map[digest.Digest]string{}, lines: map[digest.Digest][]string{}, partial: map[digest.Digest]string{}}
}

// add records one status update.
func (s *stepLogs) add(st *client.SolveStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range st.Vertexes {
		s.names[v.Digest] = v.Name
		if v.Error != "" && !strings.Contains(v.Error, "context canceled") && !containsDigest(s.failed, v.Digest) {
			s.failed = append(s.failed, v.Digest)
		}
	}
	for _, l := range st.Logs {
		text := s.partial[l.Vertex] + string(l.Data)
		parts := strings.Split(text, "\n")
		s.partial[l.Vertex] = parts[len(parts)-1]
		lines := append(s.lines[l.Vertex], parts[:len(parts)-1]...)
		if len(lines) > stepLogLines {
			lines = lines[len(lines)-stepLogLines:]
		}
		s.lines[l.Vertex] = lines
	}
}

// explain adds to err the last lines of each step that failed.
func (s *stepLogs) explain(err error) error {
	if err == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, d := range s.failed {
		lines := s.lines[d]
		if p := s.partial[d]; p != "" {
			lines = append(lines, p)
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s failed; its last lines:", s.names[d])
		for _, l := range lines {
			b.WriteString("\n  ")
			b.WriteString(strings.TrimRight(l, "\r"))
		}
	}
	if b.Len() == 0 {
		return err
	}
	return fmt.Errorf("%w%s", err, b.String())
}

func containsDigest(list []digest.Digest, d digest.Digest) bool {
	for _, x := range list {
		if x == d {
			return true
		}
	}
	return false
}
