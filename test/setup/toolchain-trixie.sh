#!/usr/bin/env bash
# The oracle tier's second real toolchain: a Debian 13 (trixie) root with
# ansible-core 2.19 and OpenSSH 10.0 from Debian's mirror, plus this machine's
# `packer` binary (bookworm's 1.6.6, the only Packer available here) copied in.
# Builds run in it through test/setup/toolchain-run.sh (a private mount
# namespace + chroot, sharing the network so the loopback sshd and Packer's
# proxy work).
#
# Cached under ~/.cache/packer-bake/ by a hash of this recipe, so a machine
# builds it once (debootstrap + apt, about a minute and a half); later runs
# only re-copy `packer` when it changed. Safe to run in parallel (flock).
# Prints the root directory on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# What goes into the root. python3-cffi-backend: a minimal (debootstrap) system
# resolves ansible-core's cryptography backend only when it is named. python3-paramiko:
# ansible-core depends on "openssh-client | python3-paramiko", so apt installs only the
# first; the ansible_connection=paramiko fact needs the second.
packages="ansible-core openssh-client python3-cffi-backend python3-paramiko ca-certificates"
suite=trixie

hash=$( { cat "$0"; echo "$packages $suite"; } | sha256sum | cut -c1-12)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/packer-bake"
root="$cache/toolchain-$suite-$hash"
mkdir -p "$cache"

packer_bin=$(command -v packer || true)
[ -n "$packer_bin" ] || { echo "packer is not installed (bash test/setup/apt.sh)" >&2; exit 1; }

exec 9>"$cache/toolchain-$suite.lock"
flock 9

if [ ! -f "$root/.complete" ]; then
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  work=$(mktemp -d "$cache/toolchain-$suite.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "building the $suite toolchain ($packages) in $root" >&2
  start=$(date +%s)
  debootstrap --variant=minbase "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  cp /etc/resolv.conf "$work/root/etc/resolv.conf"
  # No /proc is needed for apt here; policy-rc.d keeps package scripts from starting services.
  printf '#!/bin/sh\nexit 101\n' >"$work/root/usr/sbin/policy-rc.d"
  chmod +x "$work/root/usr/sbin/policy-rc.d"
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  DEBIAN_FRONTEND=noninteractive chroot "$work/root" apt-get install -y --no-install-recommends $packages \
    >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; exit 1; }
  chroot "$work/root" apt-get clean
  rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/usr/sbin/policy-rc.d"
  : >"$work/root/etc/resolv.conf"
  # Mount points toolchain-run.sh binds over (the work dirs, the sshfs "network home").
  mkdir -p "$work/root/tmp" "$work/root/var/tmp" "$work/root/proc" "$work/root/dev"
  touch "$work/root/.complete"
  rm -rf "$root"
  mv "$work/root" "$root"
  echo "built the $suite toolchain in $(( $(date +%s) - start )) s" >&2
  # Older roots of this suite (another recipe hash) are no longer used.
  for old in "$cache/toolchain-$suite-"*; do
    [ "$old" = "$root" ] || rm -rf "$old"
  done
fi

# Packer is this machine's, not the suite's: re-copy it whenever it differs.
if ! cmp -s "$packer_bin" "$root/usr/local/bin/packer"; then
  install -m 0755 "$packer_bin" "$root/usr/local/bin/packer"
fi
echo "$root"
