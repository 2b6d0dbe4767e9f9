package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/builder/pipeline"
	"github.com/repobuild/repobuild/plan"
)

func newDockerfileCommand() *cobra.Command {
	var c common
	cmd := &cobra.Command{
		Use:   "dockerfile --distro NAME [--arch amd64,arm64] [-f packages.yaml]",
		Short: "Print a Dockerfile that builds the distro's repository the way repobuild does, for plain `docker buildx build`",
		Long: `dockerfile prints a self-contained Dockerfile equivalent to what repobuild runs
for one distro: the same scripts (as heredocs), requests, sources, environment
and cache mounts. Build it with

  docker buildx build -o out .

(no --platform: every architecture is resolved on the builder's own platform).
The dockerfiles/ directory holds them for the catalog and the example
packages.yaml.`,
		Example: `  repobuild dockerfile --distro debian12 --arch amd64,arm64 -f packages.yaml > Dockerfile
  docker buildx build -o out .`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if names := plan.Names(c.distros); len(names) > 1 {
				return fmt.Errorf("dockerfile takes one --distro (a Dockerfile builds one distro)")
			}
			targets, err := c.targets()
			if err != nil {
				return err
			}
			// Without --distro, packages.yaml's repobuild: distros must name one.
			if d := targets[0].Distro.Name; targets[len(targets)-1].Distro.Name != d {
				return fmt.Errorf("dockerfile takes one --distro (a Dockerfile builds one distro; %s names several)", c.file)
			}
			command := fmt.Sprintf("repobuild dockerfile --distro %s --arch %s -f %s", targets[0].Distro.Name, strings.Join(archesOf(targets), ","), c.file)
			if c.mirror != "" {
				command += " --mirror " + c.mirror
			}
			out, err := dockerfile(targets, c.mirror, command)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	c.register(cmd)
	return cmd
}

func archesOf(targets []plan.Target) []string {
	var out []string
	for _, t := range targets {
		out = append(out, t.Arch)
	}
	return out
}

// dockerfile renders the targets' pipeline as a Dockerfile that takes the
// scripts from a repobuild checkout.
func dockerfile(targets []plan.Target, mirror, command string) ([]byte, error) {
	return pipeline.Dockerfile(pipeline.Config{Mirror: mirror}, targets, command)
}
