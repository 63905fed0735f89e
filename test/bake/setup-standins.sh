#!/usr/bin/env bash
# Stand-ins for the base images of bake/Dockerfile, since no registry is
# reachable in CI, so the tests build that same Dockerfile with build arguments:
#
#   localhost/pb-standin-debian:trixie-<hash>   for debian:trixie-slim
#     (debootstrap --variant=minbase trixie from Debian's mirror, imported)
#   localhost/pb-standin-packer:<hash>          for hashicorp/packer:<version>
#     (an image holding only /bin/packer: test/bake/standin/packer.sh with the
#     host's real Packer 1.6.6 appended; see that script for what it emulates)
#
# Idempotent: the hash covers this script, the wrapper, bake/Dockerfile's
# pinned Packer version and the host's Packer binary, so an unchanged recipe is
# built once per machine. Prints three lines: BASE_IMAGE=..., PACKER_IMAGE=...,
# PACKER_VERSION=... (the build arguments for bake/Dockerfile).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root_dir=$(cd "$here/../.." && pwd)
dockerfile="$root_dir/bake/Dockerfile"
wrapper="$here/standin/packer.sh"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"

real_packer=$(command -v packer)
version=$(sed -n 's/^ARG PACKER_VERSION=\(.*\)$/\1/p' "$dockerfile")
[ -n "$version" ] || { echo "no ARG PACKER_VERSION line in $dockerfile" >&2; exit 1; }
hash=$( (cat "$0" "$wrapper"; echo "$version"; sha256sum "$real_packer") | sha256sum | cut -c1-12)
base="localhost/pb-standin-debian:trixie-$hash"
packer_image="localhost/pb-standin-packer"

emit() {
  echo "BASE_IMAGE=$base"
  echo "PACKER_IMAGE=$packer_image"
  echo "PACKER_VERSION=$hash"
}
if podman image exists "$base" && podman image exists "$packer_image:$hash"; then
  emit
  exit 0
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/packer-bake-test"
mkdir -p "$cache"
work=$(mktemp -d "$cache/standins.XXXXXX")
trap 'rm -rf "$work"' EXIT
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
start=$(date +%s)

if ! podman image exists "$base"; then
  echo "building $base (debootstrap trixie)" >&2
  debootstrap --variant=minbase trixie "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  # As in debian:trixie-slim: no package lists, an empty resolv.conf the engine fills in.
  rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/"*.bin
  : >"$work/root/etc/resolv.conf"
  tar -C "$work/root" -c . | podman import - "$base" >/dev/null
  rm -rf "$work/root"
fi

if ! podman image exists "$packer_image:$hash"; then
  echo "building $packer_image:$hash (stand-in for hashicorp/packer:$version)" >&2
  mkdir -p "$work/packer/bin"
  sed "s/@STANDIN_VERSION@/$version/" "$wrapper" >"$work/packer/bin/packer"
  cat "$real_packer" >>"$work/packer/bin/packer"
  chmod 755 "$work/packer/bin/packer"
  tar -C "$work/packer" -c . | podman import --change 'ENTRYPOINT ["/bin/packer"]' - "$packer_image:$hash" >/dev/null
fi
echo "stand-ins ready in $(( $(date +%s) - start )) s" >&2
emit
