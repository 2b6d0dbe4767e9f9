package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/repobuild/repobuild/plan"

	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/builder/buildkitd"
	"github.com/repobuild/repobuild/internal/version"
)

func newDistrosCommand() *cobra.Command {
	var c common
	var format string
	cmd := &cobra.Command{
		Use:   "distros",
		Short: "List the distros repobuild knows",
		Example: `  repobuild distros
  repobuild distros --distros-dir ./my-distros
  repobuild distros --distro debian12 --format '{{.Image}}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := c.catalog()
			if err != nil {
				return err
			}
			all := cat.All()
			if names := plan.Names(c.distros); len(names) > 0 {
				all = all[:0]
				for _, n := range names {
					d, err := cat.Get(n)
					if err != nil {
						return err
					}
					all = append(all, d)
				}
			}
			if format != "" {
				t, err := template.New("format").Parse(format + "\n")
				if err != nil {
					return fmt.Errorf("--format: %w", err)
				}
				for _, d := range all {
					if err := t.Execute(cmd.OutOrStdout(), d); err != nil {
						return fmt.Errorf("--format: %w", err)
					}
				}
				return nil
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tMANAGER\tARCHES\tKEYS\tIMAGE")
			for _, d := range all {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", d.Name, d.Manager, strings.Join(d.PlatformArches(), ","), strings.Join(d.Keys(), ","), d.Image)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&c.distrosDir, "distros-dir", os.Getenv("REPOBUILD_DISTROS_DIR"), "a directory of distro definitions that add to or override the built-in ones")
	cmd.Flags().StringSliceVar(&c.distros, "distro", nil, "only these distros")
	cmd.Flags().StringVar(&format, "format", "", "a Go template over each distro's fields (.Name, .Image, .Codename, ...)")
	return cmd
}

func newPlanCommand() *cobra.Command {
	var c common
	var format string
	cmd := &cobra.Command{
		Use:   "plan --distro NAME[,NAME] --arch amd64,arm64 -f packages.yaml [-o text|json]",
		Short: "Print what each target will resolve, and which key of packages.yaml asked for it (no daemon needed)",
		Example: `  repobuild plan --distro debian12,ubuntu2204 --arch amd64,arm64 -f packages.yaml
  repobuild plan --distro debian12 -f packages.yaml -o json | jq .`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("-o %q: use text or json", format)
			}
			targets, err := c.targets()
			if err != nil {
				return err
			}
			if format == "json" {
				return plan.WriteJSON(cmd.OutOrStdout(), targets)
			}
			return plan.WriteText(cmd.OutOrStdout(), targets)
		},
	}
	c.register(cmd)
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&format, "format", "text", "the same as --output")
	_ = cmd.Flags().MarkHidden("format")
	return cmd
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print repobuild's version and the BuildKit version it speaks",
		Example: "  repobuild version",
		Args:    cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "repobuild %s (BuildKit client %s)\n", version.String(), buildkitd.ClientVersion())
		},
	}
}
