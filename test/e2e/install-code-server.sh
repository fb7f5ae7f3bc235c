#!/usr/bin/env bash
# Installs code-server (the real VS Code workbench served to a browser) for the end-to-end tests into a
# cache directory outside the repo, and reuses it when it is already there. Offline-friendly: the
# @vscode/ripgrep postinstall finds Debian's rg in its download cache instead of fetching from GitHub.
# Needs Debian's libkrb5-dev (native kerberos module) and ripgrep; .ci/run installs both.
# Prints the install directory on its last line.
set -euo pipefail

VERSION=4.100.3
DIR="${THOUGHTSCOPE_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/thoughtscope-e2e/code-server-$VERSION}"
MARKER="$DIR/.installed"

if [ -f "$MARKER" ] && [ -f "$DIR/node_modules/code-server/out/node/entry.js" ]; then
  echo "$DIR"
  exit 0
fi

RG="$(command -v rg || true)"
if [ -z "$RG" ]; then
  echo "install-code-server: ripgrep (rg) is missing; install Debian's ripgrep package" >&2
  exit 1
fi

# The tarball name and cache folder @vscode/ripgrep 1.15.11 (code-server 4.100.3's) looks for first.
CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
TARBALL="$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$TARBALL" ]; then
  mkdir -p "$CACHE"
  STAGE="$(mktemp -d)"
  cp "$RG" "$STAGE/rg"
  tar -czf "$TARBALL.tmp" -C "$STAGE" rg
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$STAGE"
fi

rm -rf "$DIR"
mkdir -p "$DIR"
echo '{ "name": "thoughtscope-e2e-code-server", "private": true }' >"$DIR/package.json"
echo "install-code-server: installing code-server@$VERSION into $DIR (a few minutes the first time)" >&2
(
  cd "$DIR"
  # As root, npm drops privileges for install scripts unless unsafe-perm is set; code-server's
  # postinstall runs npm itself, which must not stop to ask questions.
  npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$VERSION" >&2
)
test -f "$DIR/node_modules/code-server/out/node/entry.js"
touch "$MARKER"
echo "$DIR"
