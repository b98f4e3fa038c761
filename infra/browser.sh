#!/usr/bin/env bash
# Chromium for the browser tests (run by `make test` through the .venv/.installed-test recipe).
# The tests drive Debian's /usr/bin/chromium: Playwright's own browser download is not used.
#
#   - chromium present: nothing to do;
#   - missing, running as root where apt-get exists: install Debian's `chromium` package;
#   - still missing: with CI=true fail (exit 1); elsewhere say the browser tests will skip (exit 0).
#
# CHROMIUM overrides the path checked (default /usr/bin/chromium).
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

# A CJK font, so Chinese pages render (and screenshot) as people see them, not as empty boxes.
has_cjk_font() { command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list :lang=zh 2>/dev/null)" ]]; }

if [[ -x "$CHROMIUM" ]] && has_cjk_font; then
  exit 0
fi

if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  echo "browser: $CHROMIUM not found; installing Debian's chromium package" >&2
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; }; then
    echo "browser: apt-get could not install chromium (output above)" >&2
  fi
fi

if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi

if [[ "${CI:-}" == "true" ]]; then
  echo "browser: $CHROMIUM is missing and could not be installed; in CI the browser tests must run." >&2
  echo "browser: install Debian's package as root (apt-get install chromium) and re-run make test." >&2
  exit 1
fi
echo "browser: $CHROMIUM is missing (install it as root: apt-get install chromium); browser tests will be skipped." >&2
exit 0
