// Package tmpl renders every template repobuild reads from its users: the
// path, sources and rpm.repos (baseurl, gpgkey) fields of distro
// definitions, the repos of packages.yaml's repobuild options, and
// packages.yaml package specs. They are Go text/template strings over one
// set of variables, [Vars], executed with missingkey=error; a string
// without "{{" is used as it is.
//
// # Variables
//
// Every template has:
//
//	.ID            OS id: debian, ubuntu, centos, rocky, ...
//	.Version       OS version: "12", "22.04", "7"
//	.Major         major version, the part of .Version before the first dot: "12", "22", "7"
//	.Minor         minor version, the part after it: "04" for 22.04, "" when there is none
//	.Codename      release codename: "bookworm", "jammy"; "" for rpm distros
//	.Arch          the distro's name for the architecture: amd64/arm64 (apt), x86_64/aarch64 (rpm)
//	.Manager       package manager: apt, yum or dnf
//
// Templates of distro definitions and of packages.yaml's repobuild.repos
// also have:
//
//	.OS            the same as .ID
//	.Name          the distro's name: debian12, rocky9
//	.PlatformArch  repobuild's name for the architecture: amd64, arm64
//	.Mirror        the architecture's package mirror: --mirror, else the distro's mirrors.ARCH, else its mirror
//	               (in rpm repos without a trailing slash); "" when there is none
//
// Package specs of packages.yaml have only the first list ([SpecVars]):
// any other variable there is an error before anything is built.
//
// Package specs are also bounded: they take no range, template, define or
// block actions (packages checks [Template.Actions]), and a spec writes at
// most 4096 bytes ([MaxLen]); distro definitions are trusted and have
// neither bound.
//
// A template that cannot be rendered is an [Error] that names the file and
// the field it was written in.
package tmpl
