#!/usr/bin/env bash
# Builds the bake image from Debian packages (no registry is reachable in CI):
# debootstrap a bookworm root, `podman import` it as the base image
# (localhost/packer-bake-test-base:<hash>, a stand-in for debian:bookworm-slim),
# install bake/Dockerfile's BAKE_PACKAGES in it, and import that as
# localhost/packer-bake-test:<hash>. Idempotent: the hash covers this script and
# the Dockerfile, so an unchanged recipe is built once per machine.
# Prints the image reference on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root_dir=$(cd "$here/../.." && pwd)
dockerfile="$root_dir/bake/Dockerfile"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"

hash=$(cat "$0" "$dockerfile" | sha256sum | cut -c1-12)
image="localhost/packer-bake-test:$hash"
base="localhost/packer-bake-test-base:$hash"
if podman image exists "$image" && podman image exists "$base"; then
  echo "$image"
  exit 0
fi

packages=$(sed -n 's/^ARG BAKE_PACKAGES="\(.*\)"$/\1/p' "$dockerfile")
[ -n "$packages" ] || { echo "no ARG BAKE_PACKAGES line in $dockerfile" >&2; exit 1; }

cache="${XDG_CACHE_HOME:-$HOME/.cache}/packer-bake-test"
mkdir -p "$cache"
work=$(mktemp -d "$cache/rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

echo "building $image from Debian packages: $packages" >&2
start=$(date +%s)
debootstrap --variant=minbase bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
mkdir -p "$work/root/workspace"
tar -C "$work/root" -c . | podman import - "$base" >/dev/null
cp /etc/resolv.conf "$work/root/etc/resolv.conf"
# shellcheck disable=SC2086 # word splitting of the package list is intended
DEBIAN_FRONTEND=noninteractive chroot "$work/root" apt-get install -y --no-install-recommends $packages \
  >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; exit 1; }
chroot "$work/root" apt-get clean
rm -rf "$work/root/var/lib/apt/lists/"*
: >"$work/root/etc/resolv.conf"
tar -C "$work/root" -c . | podman import --change 'WORKDIR /workspace' - "$image" >/dev/null
echo "built $image in $(( $(date +%s) - start )) s" >&2
echo "$image"
