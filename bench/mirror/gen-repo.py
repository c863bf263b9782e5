#!/usr/bin/env python3
"""gen-repo.py ROOT COUNT MIN_KIB MAX_KIB [CHANGED]: an RPM-shaped repository of COUNT random-content .rpm-named files
(sizes uniform in MIN_KIB..MAX_KIB, seeded) under ROOT/Packages, with repodata/primary.xml.gz and repomd.xml written here
(createrepo_c refuses random content). With CHANGED=1, package 1 is replaced by version 1.1 (a new file, new content)."""
import gzip, hashlib, os, random, sys, time

root, count, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
changed = len(sys.argv) > 5 and sys.argv[5] == "1"
rng = random.Random(14)
os.makedirs(os.path.join(root, "Packages"), exist_ok=True)
os.makedirs(os.path.join(root, "repodata"), exist_ok=True)
entries = []
for i in range(count):
    size = rng.randint(lo * 1024, hi * 1024)
    version = "1.1" if changed and i == 1 else "1.0"
    name = f"bench-{i:05d}"
    href = f"Packages/{name}-{version}-1.noarch.rpm"
    path = os.path.join(root, href)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(os.urandom(size))
    if changed and i == 1:
        old = os.path.join(root, f"Packages/{name}-1.0-1.noarch.rpm")
        if os.path.exists(old):
            os.remove(old)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    entries.append((name, version, href, digest, os.path.getsize(path)))

body = ['<?xml version="1.0" encoding="UTF-8"?>',
        f'<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="{count}">']
for name, version, href, digest, size in entries:
    body.append(f'<package type="rpm"><name>{name}</name><arch>noarch</arch><version epoch="0" ver="{version}" rel="1"/>'
                f'<checksum type="sha256" pkgid="YES">{digest}</checksum><summary>bench</summary><description>bench</description>'
                f'<packager/><url/><time file="1" build="1"/><size package="{size}" installed="{size}" archive="{size}"/>'
                f'<location href="{href}"/><format><rpm:license>MIT</rpm:license></format></package>')
body.append("</metadata>\n")
xml = "\n".join(body).encode()
gz = gzip.compress(xml, mtime=0)
gz_sum = hashlib.sha256(gz).hexdigest()
for old in os.listdir(os.path.join(root, "repodata")):
    os.remove(os.path.join(root, "repodata", old))
primary = f"repodata/{gz_sum}-primary.xml.gz"
with open(os.path.join(root, primary), "wb") as f:
    f.write(gz)
now = int(time.time())
repomd = f"""<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>{now}</revision>
  <data type="primary">
    <checksum type="sha256">{gz_sum}</checksum>
    <open-checksum type="sha256">{hashlib.sha256(xml).hexdigest()}</open-checksum>
    <location href="{primary}"/>
    <timestamp>{now}</timestamp>
    <size>{len(gz)}</size>
    <open-size>{len(xml)}</open-size>
  </data>
</repomd>
"""
with open(os.path.join(root, "repodata", "repomd.xml"), "w") as f:
    f.write(repomd)
