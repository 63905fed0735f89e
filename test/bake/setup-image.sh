#!/usr/bin/env bash
# Builds an image of the toolchain this machine's tests know (Debian 12:
# Packer 1.6.6, ansible-core 2.14, OpenSSH 9.2) from Debian packages, since no
# registry is reachable in CI: debootstrap a bookworm root, install PACKAGES in
# it, and import that as localhost/packer-bake-test:<hash>. The bake tests run it as a
# configured image (packerBake.bake.image) and as the base of a dev container.
# (bake/Dockerfile itself is built from stand-ins: setup-standins.sh.)
# Idempotent: the hash covers this script, so an unchanged recipe is built once
# per machine. Prints the image reference on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"

PACKAGES="packer ansible-core openssh-client python3-cffi-backend ca-certificates"
hash=$(sha256sum "$0" | cut -c1-12)
image="localhost/packer-bake-test:$hash"
if podman image exists "$image"; then
  echo "$image"
  exit 0
fi

packages=$PACKAGES

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
