package pipeline

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// heredocEnd ends the heredocs of generated Dockerfiles (with a number
// added where a file holds it as a line).
const heredocEnd = "REPOBUILD_EOF"

// ScriptsContext is where a Dockerfile build finds builder/manager: in its
// build context, a checkout of repobuild.
const ScriptsContext = "builder/manager"

// Dockerfile renders the pipeline, which must be of one distro, as a
// Dockerfile for BuildKit's Dockerfile frontend: the same steps, inputs,
// mounts, cache mounts and networks, each step a stage. The scripts come
// from the build context (a checkout of repobuild), so they live in one
// place; each step's input.json and data files are heredocs. Every fetch
// is strict: with no one to read its report, it fails itself when a
// request cannot be met. Build with
//
//	docker buildx build -f dockerfiles/DISTRO/Dockerfile -o out .
//
// from the checkout. header holds comment lines for the top.
func (p *Pipeline) Dockerfile(header []string) ([]byte, error) {
	w := &dockerfileWriter{}
	w.line("# syntax=docker/dockerfile:1.4")
	for _, h := range header {
		w.line("# %s", h)
	}
	image := ""
	for _, s := range p.Steps {
		if image != "" && s.Image != image {
			return nil, fmt.Errorf("a Dockerfile builds one distro: %s and %s given", image, s.Image)
		}
		image = s.Image
	}
	w.line("ARG IMAGE=%s", image)
	for _, s := range p.Steps {
		if err := w.step(s); err != nil {
			return nil, err
		}
	}
	w.line("")
	w.line("# The tree.")
	w.line("FROM scratch")
	for _, l := range p.Tree {
		if l.Path != "" {
			w.line("COPY --from=%s-%s %s %s", l.Step, outName(l.Output), l.From, l.Path)
			continue
		}
		w.line("COPY --from=%s-%s / /", l.Step, outName(l.Output))
	}
	for _, f := range p.Clients {
		if err := w.heredoc(f.Name, f.Data); err != nil {
			return nil, err
		}
	}
	return []byte(w.b.String()), nil
}

// outName names a step's output stage after its directory.
func outName(dir string) string { return path.Base(dir) }

func (w *dockerfileWriter) step(s Step) error {
	input, err := s.Input.Encode()
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	w.line("")
	w.line("# %s", s.Name)
	w.mergeStages(s)
	w.line("FROM scratch AS %s-in", s.ID)
	for _, f := range append([]File{{Name: InputFile, Data: input}}, s.Files...) {
		if err := w.heredoc(f.Name, f.Data); err != nil {
			return err
		}
	}
	platform := "$BUILDPLATFORM"
	if s.Emulated {
		platform = "linux/" + s.Platform.Architecture
	}
	from := "${IMAGE}"
	if s.On != "" {
		from = s.On
	}
	if s.On == "" {
		w.line("FROM --platform=%s %s AS %s", platform, from, s.ID)
	} else {
		w.line("FROM %s AS %s", from, s.ID)
	}
	w.line("ENV PATH=%s", DefaultPath)
	run := []string{"RUN"}
	if !s.Network {
		run = append(run, "--network=none")
	}
	run = append(run, fmt.Sprintf("--mount=type=bind,source=%s,target=%s", ScriptsContext, ManagerDir),
		fmt.Sprintf("--mount=type=bind,from=%s-in,target=%s", s.ID, InDir))
	for _, m := range w.merged(s) {
		run = append(run, fmt.Sprintf("--mount=type=bind,from=%s,target=%s", m.stage, m.target))
	}
	if s.Cache != nil {
		run = append(run, fmt.Sprintf("--mount=type=cache,id=%s,target=%s,sharing=locked", s.Cache.ID, s.Cache.Target))
	}
	w.line("%s \\", strings.Join(run[:len(run)-1], " \\\n    "))
	w.line("    %s \\", run[len(run)-1])
	outs := slices.Clone(s.Outputs)
	mk := ""
	if len(outs) > 0 {
		mk = "mkdir -p " + strings.Join(outs, " ") + " && "
	}
	w.line("    %s/bin/sh %s", mk, path.Join(ManagerDir, s.Script))
	for _, o := range outs {
		w.line("FROM scratch AS %s-%s", s.ID, outName(o))
		w.line("COPY --from=%s %s/ /", s.ID, o)
	}
	return nil
}

type stageMount struct{ stage, target string }

// merged returns the stages s mounts, by target, in the order of first
// mention. Several outputs at one target (a release over every
// architecture's index) are merged into a stage of their own first; it
// must be written before the step's stage, so the caller writes it now.
func (w *dockerfileWriter) merged(s Step) []stageMount {
	var order []string
	byTarget := map[string][]string{}
	for _, m := range s.Mounts {
		if _, ok := byTarget[m.Target]; !ok {
			order = append(order, m.Target)
		}
		byTarget[m.Target] = append(byTarget[m.Target], m.Step+"-"+outName(m.Output))
	}
	var out []stageMount
	for _, t := range order {
		stages := byTarget[t]
		if len(stages) == 1 {
			out = append(out, stageMount{stages[0], t})
			continue
		}
		out = append(out, stageMount{s.ID + "-" + path.Base(t), t})
	}
	return out
}

// mergeStages writes the stages merged() names for s.
func (w *dockerfileWriter) mergeStages(s Step) {
	byTarget := map[string][]string{}
	var order []string
	for _, m := range s.Mounts {
		if _, ok := byTarget[m.Target]; !ok {
			order = append(order, m.Target)
		}
		byTarget[m.Target] = append(byTarget[m.Target], m.Step+"-"+outName(m.Output))
	}
	for _, t := range order {
		if len(byTarget[t]) < 2 {
			continue
		}
		w.line("FROM scratch AS %s-%s", s.ID, path.Base(t))
		for _, st := range byTarget[t] {
			w.line("COPY --from=%s / /", st)
		}
	}
}

type dockerfileWriter struct {
	b strings.Builder
}

func (w *dockerfileWriter) line(format string, args ...any) {
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

// heredoc copies data to /name of the current stage.
func (w *dockerfileWriter) heredoc(name string, data []byte) error {
	text := string(data)
	// The first end marker that is not a line of the file.
	end := heredocEnd
	for n := 2; slices.Contains(strings.Split(text, "\n"), end); n++ {
		end = fmt.Sprintf("%s_%d", heredocEnd, n)
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	w.line("COPY <<'%s' /%s", end, name)
	w.b.WriteString(text)
	w.line("%s", end)
	return nil
}
