package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes what each target resolves and where packages.yaml asked
// for it, as `repobuild plan` prints it.
func WriteText(w io.Writer, targets []Target) error {
	for i, t := range targets {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%d packages; keys %s)\n", t, len(t.Requests), strings.Join(t.Distro.Keys(), ", "))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, r := range t.Requests {
			spec := r.Spec
			if r.Optional {
				spec += " (optional)"
			}
			var from []string
			for _, s := range r.Sources {
				from = append(from, s.String())
			}
			fmt.Fprintf(tw, "  %s\t%s\n", spec, strings.Join(from, ", "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, warn := range t.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
	}
	return nil
}

// JSONTarget is one target of `repobuild plan -o json`.
type JSONTarget struct {
	Distro   string        `json:"distro"`
	Arch     string        `json:"arch"`
	Keys     []string      `json:"keys"`
	Packages []JSONPackage `json:"packages"`
	Warnings []string      `json:"warnings,omitempty"`
}

// JSONPackage is one request of a JSONTarget.
type JSONPackage struct {
	Spec     string `json:"spec"`
	Name     string `json:"name"`
	Version  string `json:"version,omitempty"`
	Optional bool   `json:"optional,omitempty"`
	// From are the places of packages.yaml that ask for it:
	// "file:line:column (key)".
	From []string `json:"from"`
}

// WriteJSON writes the targets as a JSON array of JSONTarget.
func WriteJSON(w io.Writer, targets []Target) error {
	all := make([]JSONTarget, 0, len(targets))
	for _, t := range targets {
		j := JSONTarget{Distro: t.Distro.Name, Arch: t.Arch, Keys: t.Distro.Keys(), Warnings: t.Warnings}
		for _, r := range t.Requests {
			p := JSONPackage{Spec: r.Spec, Name: r.Name, Version: r.Version, Optional: r.Optional}
			for _, s := range r.Sources {
				p.From = append(p.From, s.String())
			}
			j.Packages = append(j.Packages, p)
		}
		all = append(all, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(all)
}
