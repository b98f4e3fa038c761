#!/usr/bin/env bash
# `make test`: run the linter and the formatter check, start the real engines the suite needs
# (infra/engines), run the type checker and then pytest with the fast unit tests first, and stop the
# engines again — also when tests fail or are interrupted. A lint, format or type finding fails the
# run before any test.
#
# PARKLOOP_TEST_ENGINES lists the engines to start (comma-separated; empty starts none).
# With CI=true an engine that fails to start fails the run; elsewhere its tests skip.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ENGINES="${PARKLOOP_TEST_ENGINES-postgres,kafka,elasticsearch,opensearch}"
DIR="${PARKLOOP_ENGINES_DIR:-$PWD/.engines/test}"

# Lint and format first ([tool.ruff] in pyproject.toml), before any engine starts.
if ! .venv/bin/ruff check . || ! .venv/bin/ruff format --check .; then
  echo "run-tests: ruff found the problems above; run \`.venv/bin/ruff check --fix . && .venv/bin/ruff format .\`" \
    "and fix by hand what is left." >&2
  exit 1
fi

if [[ -n "$ENGINES" ]]; then
  trap 'bash infra/engines/down.sh "$DIR" >/dev/null 2>&1' EXIT
  trap 'exit 130' INT TERM
  # Fresh engines, as CI has them: what earlier runs left in DIR (topics, indices) would slow this one.
  if ! ENGINES="$ENGINES" ENGINES_RESET=1 bash infra/engines/up.sh "$DIR"; then
    if [[ "${CI:-}" == "true" ]]; then
      echo "run-tests: an engine failed to start (log tail above); in CI that fails the run." >&2
      exit 1
    fi
    echo "run-tests: some engines are down; their tests will skip (make engines-up to retry)." >&2
  fi
  export PARKLOOP_TEST_ENGINES_DIR="$DIR"  # the bus contract test restarts the Kafka broker there
  # shellcheck disable=SC1091
  source "$DIR/engines.env"
fi

# Types first: mypy over every domain and service_layer package ([tool.mypy] in pyproject.toml).
"$PY" -m mypy || exit $?
"$PY" -m pytest tests/unit -q -p no:cacheprovider || exit $?
"$PY" -m pytest tests/integration tests/contract tests/e2e -q -p no:cacheprovider -rs
status=$?
# pytest's 5 means "no tests collected": an empty suite is a failure here, not a pass.
exit $status
