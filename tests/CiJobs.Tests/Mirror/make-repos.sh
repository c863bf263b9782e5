#!/bin/bash
# make-repos.sh OUT: tiny real repositories for the mirror tests: OUT/rpm-a, rpm-b (createrepo_c), deb-a, deb-b (apt-ftparchive)
set -euo pipefail
out=$1; mkdir -p "$out/pkgs"; cd "$out"
rpm1() { # name version
  local top=$out/rpmbuild-$1-$2
  mkdir -p "$top"/{SPECS,BUILD,RPMS,SRPMS,SOURCES,BUILDROOT}
  cat > "$top/SPECS/$1.spec" <<SPEC
Name: $1
Version: $2
Release: 1
Summary: test $1
License: MIT
BuildArch: noarch
%description
test
%install
mkdir -p %{buildroot}/usr/share/$1
echo $2 > %{buildroot}/usr/share/$1/version
%files
/usr/share/$1/version
SPEC
  rpmbuild --quiet --define "_topdir $top" -bb "$top/SPECS/$1.spec" >/dev/null 2>&1
  cp "$top"/RPMS/noarch/*.rpm pkgs/; rm -rf "$top"
}
deb1() {
  local d=$out/debbuild-$1-$2
  mkdir -p "$d/DEBIAN" "$d/usr/share/$1"
  echo $2 > "$d/usr/share/$1/version"
  printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n' "$1" "$2" > "$d/DEBIAN/control"
  dpkg-deb --root-owner-group -b "$d" "pkgs/${1}_${2}_all.deb" >/dev/null; rm -rf "$d"
}
rpm1 mx-alpha 1.0; rpm1 mx-alpha 1.1; rpm1 mx-beta 2.0; rpm1 mx-gamma 3.0
deb1 mx-motd 1.0; deb1 mx-motd 1.1; deb1 mx-extra 2.0
rpmrepo() { mkdir -p "$1/Packages"; shift_dir=$1; shift; for p in "$@"; do cp pkgs/$p*.rpm "$shift_dir/Packages/"; done; createrepo_c -q "$shift_dir" >/dev/null; }
rpmrepo rpm-a mx-alpha-1.0 mx-beta-2.0
rpmrepo rpm-b mx-alpha-1.1 mx-gamma-3.0
debrepo() {
  local r=$1; shift
  mkdir -p "$r/pool/main/m" "$r/dists/stable/main/binary-all"
  for p in "$@"; do cp pkgs/${p}_all.deb "$r/pool/main/m/"; done
  (cd "$r" && apt-ftparchive packages pool > dists/stable/main/binary-all/Packages && gzip -9nk dists/stable/main/binary-all/Packages \
    && apt-ftparchive -o APT::FTPArchive::Release::Codename=stable -o APT::FTPArchive::Release::Suite=stable release dists/stable > dists/stable/Release.tmp && mv dists/stable/Release.tmp dists/stable/Release)
}
debrepo deb-a mx-motd_1.0 mx-extra_2.0
debrepo deb-b mx-motd_1.1
