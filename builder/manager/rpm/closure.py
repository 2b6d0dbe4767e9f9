# repobuild's plugin for dnf 4 and yum (Python 2.7 and 3), and its companion
# command. The fetch scripts install it as the only plugin (rb_plugin).
#
# As a plugin: once the transaction is resolved, before anything is
# downloaded, it writes one line a package of the transaction to the file
# $REPOBUILD_CLOSURE (when set): PATH INODE SIZE CTIME, where PATH is the
# file the package manager keeps the package in (its package cache), and the
# rest the state of that file before the download ("- - -": none). dnf 4
# also writes the download URL of each package to the file $REPOBUILD_URLS
# and the ids of the enabled repositories to $REPOBUILD_REPOS, one a line
# (when set).
#
#   closure.py fetched FILE   the bytes the download wrote: the sizes of the
#                             files of FILE that are new or have changed
#                             (re-downloaded because the cached copy did not
#                             match the repository's checksum)
import os
import sys


def state(path):
    try:
        st = os.stat(path)
    except OSError:
        return "- - -"
    return "%d %d %r" % (st.st_ino, st.st_size, st.st_ctime)


def write(paths):
    out = os.environ.get("REPOBUILD_CLOSURE")
    if not out:
        return
    f = open(out, "w")
    try:
        for path in paths:
            f.write("%s %s\n" % (path, state(path)))
    finally:
        f.close()


def write_lines(var, lines):
    out = os.environ.get(var)
    if not out:
        return
    f = open(out, "w")
    try:
        for line in lines:
            if line:
                f.write("%s\n" % line)
    finally:
        f.close()


def fetched(listing):
    total = 0
    f = open(listing)
    try:
        for line in f:
            path, before = line.rstrip("\n").split(" ", 1)
            if state(path) != before:
                total += os.stat(path).st_size
    finally:
        f.close()
    return total


# dnf 4 loads the subclasses of dnf.Plugin of the modules in its pluginpath.
try:
    from dnf import Plugin
except ImportError:
    Plugin = None

if Plugin is not None:

    class Repobuild(Plugin):
        name = "repobuild"

        def resolved(self):
            pkgs = list(self.base.transaction.install_set)
            write(pkg.localPkg() for pkg in pkgs)
            write_lines("REPOBUILD_URLS", (pkg.remote_location() for pkg in pkgs))
            write_lines("REPOBUILD_REPOS", (repo.id for repo in self.base.repos.iter_enabled()))


# yum calls the hooks of the modules in its pluginpath; the module's name
# (repobuild) names its configuration file.
requires_api_version = "2.1"
try:
    from yum.constants import TS_INSTALL_STATES
    from yum.plugins import TYPE_CORE

    plugin_type = (TYPE_CORE,)
except ImportError:
    TS_INSTALL_STATES = ()


def postresolve_hook(conduit):
    members = conduit.getTsInfo().getMembers()
    write(m.po.localPkg() for m in members if m.output_state in TS_INSTALL_STATES)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "fetched":
        sys.exit("usage: closure.py fetched FILE")
    print(fetched(sys.argv[2]))
