#!/usr/bin/env bash
# Installs cijobs on a GitLab runner, the way the Zuul role ensure-cijobs does on a node
# (docs/jobs/ensure-cijobs.md): the pinned prebuilt release if it is already unpacked or in the
# runner's cache, else downloaded with its SHA-256 checked, else (if allowed) built from the CiJobs
# checkout this script lives in. Prints the cijobs command's path on stdout, progress on stderr.
# ci/gitlab/ensure-cijobs.yml calls it; it also runs by hand.
#
# Environment (all optional):
#   CIJOBS_VERSION          the pinned version; checked against `cijobs --version` of the tarball
#   CIJOBS_SHA256           the tarball's SHA-256 (64 hex digits); required to install a prebuilt cijobs
#   CIJOBS_URL              the tarball's URL; default, when CIJOBS_PACKAGE_PROJECT and CIJOBS_VERSION are set:
#                           $CI_API_V4_URL/projects/$CIJOBS_PACKAGE_PROJECT/packages/generic/cijobs/$CIJOBS_VERSION/cijobs-$CIJOBS_VERSION-linux-x64.tar.gz
#   CIJOBS_PACKAGE_PROJECT  id (or URL-encoded path) of the GitLab project whose generic package registry holds cijobs
#   CIJOBS_INSTALL_DIR      default $HOME/.local/cijobs (releases/<sha256>/, lib/ for a source build, the cijobs command)
#   CIJOBS_CACHE_DIR        default ${XDG_CACHE_HOME:-$HOME/.cache}/cijobs (tarballs, one per SHA-256)
#   CIJOBS_SOURCE_FALLBACK  true (default) or false: build from source when no prebuilt is set or its download fails
#   CIJOBS_SRC_DIR          the CiJobs checkout to build from (default: the one holding this script)
#   CIJOBS_DOTNET           the dotnet program (default dotnet; the source build needs the .NET 10 SDK)
#   CIJOBS_DOWNLOAD_TIMEOUT seconds for the whole download (default 300)
# The job token (CI_JOB_TOKEN) is sent, as a JOB-TOKEN header read from a pipe, only to this GitLab's API (CI_API_V4_URL).
set -euo pipefail

die() { echo "ensure-cijobs: error: $*" >&2; exit 1; }
say() { echo "ensure-cijobs: $*" >&2; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
install=${CIJOBS_INSTALL_DIR:-$HOME/.local/cijobs}
cache=${CIJOBS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cijobs}
src=${CIJOBS_SRC_DIR:-$script_dir/../..}
dotnet=${CIJOBS_DOTNET:-dotnet}
fallback=${CIJOBS_SOURCE_FALLBACK:-true}
version=${CIJOBS_VERSION:-}
sha=$(printf '%s' "${CIJOBS_SHA256:-}" | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')
url=${CIJOBS_URL:-}
case $fallback in true | false) ;; *) die "CIJOBS_SOURCE_FALLBACK is '$fallback', not true or false" ;; esac
if [ -z "$url" ] && [ -n "${CIJOBS_PACKAGE_PROJECT:-}" ] && [ -n "$version" ]; then
  [ -n "${CI_API_V4_URL:-}" ] || die "CIJOBS_PACKAGE_PROJECT is set but CI_API_V4_URL is not (outside GitLab CI, set CIJOBS_URL)"
  url="$CI_API_V4_URL/projects/$CIJOBS_PACKAGE_PROJECT/packages/generic/cijobs/$version/cijobs-$version-linux-x64.tar.gz"
fi

from=
cleanup=()
trap 'for p in "${cleanup[@]}"; do rm -rf "$p"; done' EXIT

# Replaces $install/cijobs in one rename, so a reader sees the old command or the new one.
link_command() {
  local tmp="$install/.cijobs.$$"
  ln -sfn "$1" "$tmp"
  mv --no-target-directory "$tmp" "$install/cijobs"
}

source_build() {
  [ "$fallback" = true ] || die "$1 and CIJOBS_SOURCE_FALLBACK is false; nothing was installed"
  say "$1: building cijobs from $src"
  [ -d "$src/tools/CiJobs.Cli" ] || die "no CiJobs checkout at $src (set CIJOBS_SRC_DIR)"
  mkdir -p "$install"
  "$dotnet" publish "$src/tools/CiJobs.Cli" --configuration Release --output "$install/lib" --nologo \
    --use-current-runtime --self-contained false -p:PublishReadyToRun=true >&2 || die "dotnet publish of $src/tools/CiJobs.Cli failed"
  local tmp="$install/.cijobs.$$"
  printf '#!/bin/sh\nexec %s "%s/lib/cijobs.dll" "$@"\n' "$dotnet" "$install" > "$tmp"
  chmod 0755 "$tmp"
  mv --no-target-directory "$tmp" "$install/cijobs"
  from=source
}

# Downloads $url into the cache as $1, only once its SHA-256 matches. Returns 2 when the download fails
# (the caller may fall back); dies on a checksum mismatch (never falls back to something else).
download() {
  local cached=$1 part
  mkdir -p "$cache" || die "cannot create $cache"
  part=$(mktemp "$cache/.download-XXXXXX") || die "cannot write in $cache"
  cleanup+=("$part")
  local curl_args=(--fail --location --silent --show-error --connect-timeout 10 --max-time "${CIJOBS_DOWNLOAD_TIMEOUT:-300}" --output "$part")
  say "downloading $url"
  if [ -n "${CI_JOB_TOKEN:-}" ] && [ -n "${CI_API_V4_URL:-}" ] && [[ $url == "$CI_API_V4_URL/"* ]]; then
    curl "${curl_args[@]}" --header @<(printf 'JOB-TOKEN: %s\n' "$CI_JOB_TOKEN") "$url" >&2 || return 2
  else
    curl "${curl_args[@]}" "$url" >&2 || return 2
  fi
  local actual
  actual=$(sha256sum "$part" | cut -d' ' -f1)
  if [ "$actual" != "$sha" ]; then
    rm -f "$part"
    die "the tarball from $url is not the pinned cijobs: its SHA-256 is $actual, CIJOBS_SHA256 is $sha; nothing was installed"
  fi
  mv -f "$part" "$cached" || die "cannot write $cached"
}

# Runs $1 --version; dies when it does not run or is not CIJOBS_VERSION (when set), before anything is switched.
check_version() {
  local found
  found=$("$1" --version) || die "the cijobs of $url does not run; nothing was installed"
  if [ -n "$version" ] && [ "$found" != "$version" ]; then
    die "the tarball from $url holds cijobs $found, not CIJOBS_VERSION $version; nothing was installed"
  fi
}

# Sets from= installed, cache, download (or source, after a failed download).
install_prebuilt() {
  local release="$install/releases/$sha" cached="$cache/cijobs-$sha.tar.gz"
  if [ -x "$release/cijobs" ]; then
    from=installed
    check_version "$release/cijobs"
  else
    if [ -f "$cached" ] && [ "$(sha256sum "$cached" | cut -d' ' -f1)" = "$sha" ]; then
      from=cache
    else
      rm -f "$cached"
      local rc=0
      download "$cached" || rc=$?
      if [ "$rc" -ne 0 ]; then
        source_build "cannot download cijobs from $url"
        return
      fi
      from=download
    fi
    mkdir -p "$install/releases"
    local staging
    staging=$(mktemp -d "$install/releases/.staging-XXXXXX")
    cleanup+=("$staging")
    tar -xzf "$cached" -C "$staging" --strip-components=1 || die "cannot unpack $cached; nothing was installed"
    check_version "$staging/cijobs"
    mv --no-target-directory "$staging" "$release" 2>/dev/null || [ -x "$release/cijobs" ] || die "cannot move the release into $release"
  fi
  link_command "$release/cijobs"
}

if [ -n "$url" ]; then
  [[ $sha =~ ^[0-9a-f]{64}$ ]] || die "$url needs the tarball's SHA-256 in CIJOBS_SHA256 (64 hexadecimal digits; got '${CIJOBS_SHA256:-}'); nothing was installed"
  mkdir -p "$install"
  install_prebuilt
elif "$install/cijobs" --help > /dev/null 2>&1; then
  from=present
else
  source_build "no prebuilt cijobs configured (CIJOBS_URL and CIJOBS_SHA256, or CIJOBS_PACKAGE_PROJECT and CIJOBS_VERSION)"
fi
installed=$("$install/cijobs" --version) || die "$install/cijobs does not run"
say "cijobs $installed ($from) at $install/cijobs"
echo "$install/cijobs"
