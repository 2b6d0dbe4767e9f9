package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/plan"
)

func newMatrixCommand() *cobra.Command {
	var c common
	var split string
	o := plan.MatrixOptions{Image: os.Getenv("GITHUB_REPOSITORY"), Prefix: "repobuild"}
	if o.Image == "" {
		o.Image = "repobuild"
	}
	cmd := &cobra.Command{
		Use:   "matrix -f packages.yaml [--distro NAME,...] [--split distro|arch] [--image REPO]",
		Short: "Print the GitHub Actions strategy.matrix (JSON) of what packages.yaml is built for",
		Long: `matrix prints, on one line, the JSON that GitHub Actions' strategy.matrix takes
through fromJSON: {"include":[...]} with one entry per distro (or per distro and
architecture with --split arch). Each entry has the distro, its arches
(comma-separated, for --arch) and platforms (for --platform), its package manager,
a suggested image name (REPO:DISTRO) and artifact name (repobuild-DISTRO).

The distros and arches are those packages.yaml names under repobuild: (distros:,
arches:), or --distro and --arch/--platform; the file is checked as a build
checks it, so a bad file fails this step rather than every job.`,
		Example: `  repobuild matrix -f packages.yaml
  repobuild matrix --distro debian12,rocky9 --arch amd64,arm64 --split arch
  # in a workflow step, then strategy: {matrix: '${{ fromJSON(needs.plan.outputs.matrix) }}'}
  echo "matrix=$(repobuild matrix --image REGISTRY/$GITHUB_REPOSITORY)" >> "$GITHUB_OUTPUT"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch split {
			case "distro":
			case "arch":
				o.SplitArch = true
			default:
				return fmt.Errorf("--split %q: use distro or arch", split)
			}
			targets, err := c.targets()
			if err != nil {
				return err
			}
			m, err := plan.MakeMatrix(targets, o)
			if err != nil {
				return fmt.Errorf("--image: %w", err)
			}
			return plan.WriteMatrix(cmd.OutOrStdout(), m)
		},
	}
	c.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&split, "split", "distro", "one entry per distro, or per distro and arch (arch)")
	fl.StringVar(&o.Image, "image", o.Image, "repository of the suggested image names, REPO:DISTRO[-ARCH] ($GITHUB_REPOSITORY)")
	fl.StringVar(&o.Prefix, "artifact-prefix", o.Prefix, "first part of the suggested artifact names, PREFIX-DISTRO[-ARCH]")
	for _, name := range []string{"addr", "state-dir", "mirror"} {
		_ = fl.MarkHidden(name) // no builder is involved
	}
	return cmd
}
