#!/bin/sh
# A stand-in for HashiCorp's `packer` binary in the bake tests, where no
# registry (Docker Hub, releases.hashicorp.com, GitHub) can be reached and the
# only real Packer is Debian's 1.6.6, which has no `packer init` and rejects
# `required_plugins`. test/bake/setup-standins.sh appends the real 1.6.6
# binary to this script (after the __PAYLOAD__ line) and puts the result at
# /bin/packer of a stand-in `hashicorp/packer` image, so bake/Dockerfile's
# `COPY --from=packer /bin/packer` takes it like the real one.
#
# What it does, as far as the bake runner can tell the difference:
# - `version` prints `Packer v<STANDIN_VERSION>` (the version it stands in for);
# - `init <folder>` behaves like Packer >= 1.10's: for each `source = "..."`
#   in the folder's required_plugins it prints `Installed plugin <source>
#   v<ver> in "<path>"` and writes a plugin file under PACKER_PLUGIN_PATH, or
#   nothing when one is already there; with PACKER_STANDIN_OFFLINE=1 (no
#   network) it prints `Failed getting the "<source>" plugin:` and the error,
#   and exits 1;
# - `plugins installed` lists the plugin files under PACKER_PLUGIN_PATH;
# - `build ... <folder>` runs the real Packer 1.6.6 on a copy of the folder's
#   templates with the required_plugins blocks removed (1.6.6 rejects them),
#   from the same working directory, so relative paths still resolve;
# - anything else goes to the real Packer 1.6.6 unchanged.
set -e
STANDIN_VERSION=@STANDIN_VERSION@
PLUGIN_VERSION=1.1.4
real=/tmp/.packer-standin-real
if [ ! -x "$real" ]; then
  line=$(grep -an '^__PAYLOAD__$' "$0" | head -n 1 | cut -d: -f1)
  tmp=$(mktemp /tmp/.packer-standin.XXXXXX)
  tail -n +$((line + 1)) "$0" > "$tmp"
  chmod 755 "$tmp"
  mv -f "$tmp" "$real"
fi
plugins=${PACKER_PLUGIN_PATH:-$HOME/.config/packer/plugins}

sources() {
  # The `source = "host/namespace/name"` attributes of required_plugins blocks.
  if [ -d "$1" ]; then set -- "$1"/*.pkr.hcl; fi
  cat "$@" 2>/dev/null | sed -n 's/^[[:space:]]*source[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' \
    | grep -E '^[A-Za-z0-9.-]+\.[A-Za-z]+/[^/]+/[^/]+$' | sort -u || true
}

case "$1" in
  version|--version|-version|-v)
    echo "Packer v$STANDIN_VERSION"
    echo "(packer-bake test stand-in: init emulated, builds by Packer 1.6.6)"
    exit 0 ;;
  plugins)
    [ "$2" = installed ] || exec "$real" "$@"
    [ -d "$plugins" ] && find "$plugins" -type f -name 'packer-plugin-*' ! -name '*_SHA256SUM' | sort
    exit 0 ;;
  init)
    shift
    while [ $# -gt 1 ]; do shift; done # options (-upgrade) before the one path
    status=0
    for src in $(sources "${1:-.}"); do
      name=${src##*/}
      dir="$plugins/$src"
      file="$dir/packer-plugin-${name}_v${PLUGIN_VERSION}_x5.0_linux_amd64"
      [ -e "$file" ] && continue
      if [ "${PACKER_STANDIN_OFFLINE:-}" = 1 ]; then
        echo "Failed getting the \"$src\" plugin:" >&2
        echo "1 error occurred:" >&2
        printf '\t* could not get releases: Get "https://api.releases.hashicorp.com/v1/releases/packer-plugin-%s?license_class=oss": dial tcp: lookup api.releases.hashicorp.com: no such host\n\n' "$name" >&2
        status=1
        continue
      fi
      mkdir -p "$dir"
      printf '#!/bin/sh\necho "packer-bake stand-in plugin %s v%s"\n' "$src" "$PLUGIN_VERSION" > "$file"
      chmod 755 "$file"
      sha256sum "$file" | cut -d' ' -f1 > "${file}_SHA256SUM"
      echo "Installed plugin $src v$PLUGIN_VERSION in \"$file\""
    done
    exit $status ;;
  build)
    for target; do :; done
    if [ -d "$target" ]; then
      copy=$(mktemp -d /tmp/.packer-standin-config.XXXXXX)
      for f in "$target"/*.pkr.hcl "$target"/*.pkr.json "$target"/*.auto.pkrvars.hcl "$target"/*.auto.pkrvars.json; do
        [ -f "$f" ] || continue
        awk '
          !skip && /^[ \t]*required_plugins[ \t]*\{/ { skip = 1; depth = 0 }
          skip { l = $0; depth += gsub(/\{/, "{", l) - gsub(/\}/, "}", l); if (depth <= 0) skip = 0; next }
          { print }
        ' "$f" > "$copy/${f##*/}"
      done
      n=$#
      i=0
      for a; do
        i=$((i + 1))
        if [ $i -eq $n ]; then set -- "$@" "$copy"; else set -- "$@" "$a"; fi
        shift
      done
    fi
    exec "$real" "$@" ;;
esac
exec "$real" "$@"
exit 0
__PAYLOAD__
