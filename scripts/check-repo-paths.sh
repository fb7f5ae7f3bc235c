#!/usr/bin/env bash
# Fails when code or tests name a path outside the repository, so a fresh clone (and the packed CLI)
# works on its own. Prints file:line and why for each hit; exit 1 if any, else 0.
#   scripts/check-repo-paths.sh [repository root, default: this script's repository]
# What counts as leaving (in src/, test/, scripts/, bench/, webview/):
#   - an absolute path into this machine's work folders (a string starting with /work/);
#   - the folder beside the repository the data was once read from ($old_data_dir below): ".." then
#     "$old_data_dir/data" in a string, or ".." then "$old_data_dir" in a path join;
#   - more ".." than the file is deep, as a "../../x" string or as ".." arguments of a path join: from the
#     file's own folder (imports, __dirname, import.meta) that climbs above the repository root;
#   - any ".." joined onto the current directory or the repository root (process.cwd(), root, ROOT).
# Relative imports such as '../core/x' stay inside and pass. Test inputs like '../../etc/passwd' pass as
# long as they do not climb past the repository root from the file that holds them.
set -uo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root" || exit 2
dirs=()
for d in src test scripts bench webview; do [ -d "$d" ] && dirs+=("$d"); done
[ "${#dirs[@]}" -gt 0 ] || exit 0

q="['\"\`]"        # a quote that opens a string
dots="['\"]\\.\\.['\"]" # the string '..' as a path segment
hits=0

# report REASON PATTERN FILE...: one line per match, as file:line: reason: the line.
report() {
  local reason="$1" pattern="$2"
  shift 2
  [ "$#" -gt 0 ] || return 0
  local out
  out=$(grep -nHIE -- "$pattern" "$@" 2>/dev/null) || return 0
  while IFS= read -r match; do
    local file="${match%%:*}" rest="${match#*:}"
    local line="${rest%%:*}" text="${rest#*:}"
    text="${text#"${text%%[![:space:]]*}"}"
    printf '%s:%s: leaves the repository (%s): %s\n' "$file" "$line" "$reason" "${text:0:160}"
    hits=$((hits + 1))
  done <<<"$out"
}

# The folder beside the repository that the tests and the CLI once read the Game of 24 data from.
old_data_dir='shared'
# This script names the patterns it looks for, so it does not check itself.
skip=(-not -path '*/node_modules/*' -not -path 'scripts/check-repo-paths.sh')
mapfile -d '' all < <(find "${dirs[@]}" -type f "${skip[@]}" -print0)
report "absolute path under /work" "${q}/work/" "${all[@]}"
report "the shared folder beside the repository" "\\.\\./${old_data_dir}/data|${dots}[[:space:]]*,[[:space:]]*['\"]${old_data_dir}['\"]" "${all[@]}"
report "'..' from the current directory or the repository root" "(cwd\\(\\)|\\b[Rr][Oo][Oo][Tt]\\b)[[:space:]]*,[[:space:]]*['\"]\\.\\.([/'\"])" "${all[@]}"

# Climbing: a file d folders below the root may go up at most d times from its own folder.
for depth in $(seq 1 12); do
  mapfile -d '' files < <(find "${dirs[@]}" -mindepth "$depth" -maxdepth "$depth" -type f "${skip[@]}" -print0)
  [ "${#files[@]}" -gt 0 ] || continue
  up=$((depth + 1))
  report "climbs $up levels from a file $depth deep" "${q}(\\.\\./){$up}|${q}(\\.\\./){$depth}\\.\\.${q}|(${dots}[[:space:]]*,[[:space:]]*){$depth}${dots}" "${files[@]}"
done

if [ "$hits" -gt 0 ]; then
  echo "check-repo-paths: $hits path(s) leave the repository; ship the data inside it (see data/) and resolve from __dirname" >&2
  exit 1
fi
