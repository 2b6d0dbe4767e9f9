// Package baseimage bootstraps a distro's base image from its package
// mirror, for users who cannot pull the official image (firewalled sites,
// air-gapped mirrors, this project's CI). Debian-family images are built
// with mmdebstrap, one root filesystem per architecture, and pushed as one
// multi-platform tag through BuildKit's image exporter.
package baseimage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/image"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/repoconf"
)

// Source is one apt source line: deb URI SUITE COMPONENTS...
type Source struct {
	URI        string
	Suite      string
	Components []string
}

func (s Source) String() string {
	return repoconf.AptSource{URIs: []string{s.URI}, Suites: []string{s.Suite}, Components: s.Components}.OneLine()
}

// Sources returns the apt sources to bootstrap d for the platform
// architecture arch from. With a mirror (mirror, else the distro's own for
// arch), the suite comes from it. Otherwise they are the host's own apt
// sources for its release, moved to d's suite: the host's configured
// mirror is the one it can reach.
func Sources(d distros.Distro, arch, mirror string) ([]Source, error) {
	if d.Bootstrap == nil {
		return nil, fmt.Errorf("%s: the distro definition has no bootstrap section", d.Name)
	}
	suite := d.Bootstrap.Suite
	mirror = d.MirrorFor(arch, mirror)
	if mirror != "" {
		return []Source{{URI: mirror, Suite: suite, Components: []string{"main"}}}, nil
	}
	host, err := hostSources()
	if err != nil {
		return nil, err
	}
	codename := hostCodename()
	var out []Source
	for _, s := range host {
		rest, ok := strings.CutPrefix(s.Suite, codename)
		if !ok || !slices.Contains([]string{"", "-updates", "-security"}, rest) {
			continue
		}
		out = append(out, Source{URI: s.URI, Suite: suite + rest, Components: []string{"main"}})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no Debian mirror in the host's apt sources for its release %q: pass --mirror URL", codename)
	}
	return out, nil
}

// Rootfs bootstraps d for arch into dir/rootfs.tar with mmdebstrap.
func Rootfs(ctx context.Context, d distros.Distro, arch string, sources []Source, dir string) (string, error) {
	native, err := d.Arch(arch)
	if err != nil {
		return "", err
	}
	if _, err := exec.LookPath("mmdebstrap"); err != nil {
		return "", errors.New("mmdebstrap is not installed: apt-get install mmdebstrap (and qemu-user-static binfmt-support for a foreign architecture)")
	}
	// For a foreign architecture mmdebstrap asks arch-test (a mere
	// recommendation of its package) whether the machine can run it.
	if host, err := exec.CommandContext(ctx, "dpkg", "--print-architecture").Output(); err == nil && strings.TrimSpace(string(host)) != native {
		if _, err := exec.LookPath("arch-test"); err != nil {
			return "", fmt.Errorf("bootstrapping %s for %s on this %s machine needs arch-test and QEMU: apt-get install arch-test qemu-user-static binfmt-support",
				d.Name, native, strings.TrimSpace(string(host)))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "rootfs.tar")
	variant := d.Bootstrap.Variant
	if variant == "" {
		variant = "minbase"
	}
	args := []string{"--variant=" + variant, "--arch=" + native, "--format=tar", "--skip=output/dev", "--quiet"}
	if !d.ChecksValidUntil() {
		args = append(args, `--aptopt=Acquire::Check-Valid-Until "false"`)
	}
	if len(d.Bootstrap.Include) > 0 {
		args = append(args, "--include="+strings.Join(d.Bootstrap.Include, ","))
	}
	args = append(args, d.Bootstrap.Suite, out)
	for _, s := range sources {
		args = append(args, s.String())
	}
	slog.Info("bootstrapping", "distro", d.Name, "arch", arch, "cmd", "mmdebstrap "+strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "mmdebstrap", args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("mmdebstrap %s %s: %w", d.Name, arch, err)
	}
	return out, nil
}

// LocalName is the name of the llb.Local that carries arch's rootfs.tar.
func LocalName(arch string) string { return "rootfs-" + arch }

// Build returns a BuildFunc whose result is a multi-platform image made of
// the rootfs.tar of each architecture in arches, sent as LocalName(arch).
func Build(arches []string) gwclient.BuildFunc {
	return func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
		var images []image.PlatformImage
		for _, arch := range arches {
			p := ocispecs.Platform{OS: "linux", Architecture: arch}
			src := llb.Local(LocalName(arch), llb.IncludePatterns([]string{"rootfs.tar"}), llb.SharedKeyHint(LocalName(arch)))
			st := llb.Scratch().File(llb.Copy(src, "/rootfs.tar", "/", &llb.CopyInfo{AttemptUnpack: true}),
				llb.WithCustomName("unpack "+arch+" root filesystem"))
			def, err := st.Marshal(ctx, llb.Platform(p))
			if err != nil {
				return nil, err
			}
			r, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
			if err != nil {
				return nil, err
			}
			ref, err := r.SingleRef()
			if err != nil {
				return nil, err
			}
			images = append(images, image.PlatformImage{Platform: p, Ref: ref, Config: ocispecs.Image{
				Config: ocispecs.ImageConfig{
					Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
					Cmd: []string{"bash"},
				},
			}})
		}
		return image.Result(images)
	}
}

func hostCodename() string {
	f, err := os.Open("/etc/os-release")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VERSION_CODENAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// Check returns a BuildFunc that fails unless ref resolves for every arch
// in arches: whether the builder can pull the image at all.
func Check(ref string, arches []string) gwclient.BuildFunc {
	return func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
		for _, arch := range arches {
			p := ocispecs.Platform{OS: "linux", Architecture: arch}
			_, _, _, err := c.ResolveImageConfig(ctx, ref, sourceresolver.Opt{
				LogName:  "check " + ref + " (" + arch + ")",
				ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &p},
			})
			if err != nil {
				return nil, fmt.Errorf("%s (%s): %w", ref, arch, err)
			}
		}
		return gwclient.NewResult(), nil
	}
}
