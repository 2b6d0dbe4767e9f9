# repobuild rpm metadata helper (Python 2.7 and 3): what the produced
# repository keeps of the upstream comps groups and updateinfo.
#
#   repometa.py comps OUT FILE...              merge comps files into OUT
#   repometa.py updateinfo OUT NEVRAS FILE...  keep the advisories naming a
#                                              package in NEVRAS
#   repometa.py cat FILE                       FILE decompressed to stdout
import bz2
import gzip
import sys
import xml.etree.ElementTree as ET

try:
    import lzma
except ImportError:  # Python 2
    lzma = None


def read(path):
    if path.endswith(".gz"):
        f = gzip.open(path, "rb")
    elif path.endswith(".bz2"):
        f = bz2.BZ2File(path, "rb")
    elif path.endswith(".xz"):
        if lzma is None:
            sys.exit("repometa: cannot read %s: no lzma module" % path)
        f = lzma.open(path, "rb")
    else:
        f = open(path, "rb")
    try:
        return f.read()
    finally:
        f.close()


def comps(out, files):
    try:
        import libcomps
    except ImportError:
        libcomps = None
    if libcomps is None or len(files) == 1:
        if len(files) > 1:
            sys.stderr.write("repometa: no libcomps: comps groups of %s only\n" % files[0])
        with open(out, "wb") as f:
            f.write(read(files[0]))
        return
    merged = libcomps.Comps()
    for path in files:
        c = libcomps.Comps()
        c.fromxml_str(read(path).decode("utf-8"))
        merged = merged + c
    merged.xml_f(out)


def nevra(p):
    return "%s-%s:%s-%s.%s" % (p.get("name"), p.get("epoch") or "0", p.get("version"), p.get("release"), p.get("arch"))


def updateinfo(out, nevras, files):
    with open(nevras) as f:
        have = set(line.strip() for line in f if line.strip())
    root = ET.Element("updates")
    seen = set()
    for path in files:
        for update in ET.fromstring(read(path)).findall("update"):
            uid = update.findtext("id")
            if uid in seen:
                continue
            if any(nevra(p) in have for p in update.iter("package")):
                seen.add(uid)
                root.append(update)
    ET.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)
    sys.stdout.write("repobuild: updateinfo.xml: %d advisories\n" % len(seen))


def main(argv):
    if len(argv) >= 3 and argv[0] == "comps":
        comps(argv[1], argv[2:])
    elif len(argv) >= 4 and argv[0] == "updateinfo":
        updateinfo(argv[1], argv[2], argv[3:])
    elif len(argv) == 2 and argv[0] == "cat":
        out = getattr(sys.stdout, "buffer", sys.stdout)
        out.write(read(argv[1]))
    else:
        sys.exit(__doc__ if __doc__ else "usage: repometa.py comps|updateinfo|cat ...")


main(sys.argv[1:])
