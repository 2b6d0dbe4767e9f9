package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/internal/version"
)

func newVersionCommand() *cobra.Command {
	var output string
	return withOutputFlag(&cobra.Command{
		Use:   "version [-o json]",
		Short: "Print repobuild's version and commit, and the BuildKit version it speaks",
		Example: `  repobuild version
  repobuild version -o json | jq -r .commit`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := version.Get()
			switch output {
			case "text":
				_, err := fmt.Fprintln(cmd.OutOrStdout(), info)
				return err
			case "json":
				data, err := json.MarshalIndent(info, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", data)
				return err
			}
			return fmt.Errorf("-o %q: use text or json", output)
		},
	}, &output)
}

// withOutputFlag adds -o text|json to cmd.
func withOutputFlag(cmd *cobra.Command, output *string) *cobra.Command {
	cmd.Flags().StringVarP(output, "output", "o", "text", "output format: text or json")
	return cmd
}
