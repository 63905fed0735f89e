#!/usr/bin/env bash
# Runs one command inside a toolchain root built by toolchain-<suite>.sh:
#   toolchain-run.sh <root> <cwd> <program> [args...]
# In a private mount namespace (unshare -m: nothing is mounted on the host, and
# every mount goes away with the command), binds /proc, /dev, /tmp and /var/tmp
# at the same paths in <root>, so work directories, sockets and the sshfs
# "network home" have the same names inside and out, then chroots and runs
# <program> in <cwd> with the caller's environment. The network is shared: the
# loopback sshd and Packer's SSH proxy are reachable as on the host.
set -euo pipefail
if [ "${1:-}" != --inside ]; then
  exec unshare --mount --propagation private -- "$0" --inside "$@"
fi
shift
root=$1 cwd=$2
shift 2
[ -f "$root/.complete" ] || { echo "toolchain-run: $root is not a toolchain root" >&2; exit 125; }
mount -t proc proc "$root/proc"
for d in /dev /tmp /var/tmp; do mount --rbind "$d" "$root$d"; done
exec chroot "$root" /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$cwd" "$@"
