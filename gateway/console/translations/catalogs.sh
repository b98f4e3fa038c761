#!/usr/bin/env bash
# Extract, merge and compile the console's message catalogs: one Babel domain per area.
#   bash gateway/console/translations/catalogs.sh [DOMAIN…]     (default: every domain)
# After running it, translate the new empty msgstr entries in DOMAIN.po (zh_CN), then run it again
# to compile the .mo files, which are committed so `make run` needs no build step.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-../../.venv/bin/pybabel}"
OUT=translations

# domain → the templates and modules whose strings it holds
declare -A SOURCES=(
  [console]="templates/console/*.html views/auth.py views/errors.py labels.py navigation.py auth.py enterprises.py api_text.py"
  [park]="templates/console/park views/park.py"
  [plans]="templates/console/plans views/plans.py"
  [ledger]="templates/console/ledger views/ledger.py"
  [listings]="templates/console/listings views/listings.py"
  [exchanges]="templates/console/exchanges views/exchanges.py"
  [webhooks]="templates/console/webhooks views/webhooks.py"
  [admin]="templates/console/admin views/admin.py"
  [audit]="templates/console/audit views/audit.py"
  [targets]="templates/console/targets views/targets.py"
  [submissions]="templates/console/submissions views/submissions.py"
  [province]="templates/console/province views/province.py"
)
DOMAINS=("$@")
[[ ${#DOMAINS[@]} -eq 0 ]] && DOMAINS=(console park plans ledger listings exchanges webhooks admin audit targets submissions province)

for domain in "${DOMAINS[@]}"; do
  # shellcheck disable=SC2086  # the source list is word-split (and globbed) on purpose
  sources=$(ls -d ${SOURCES[$domain]} 2>/dev/null || true)
  [[ -z "$sources" ]] && { echo "catalogs: nothing to extract for $domain yet"; continue; }
  # shellcheck disable=SC2086
  "$PYBABEL" -q extract --no-location --omit-header -F "$OUT/babel.cfg" -k _l -k lazy_gettext \
    -o "$OUT/$domain.pot" $sources
  po="$OUT/zh_CN/LC_MESSAGES/$domain.po"
  if [[ -f "$po" ]]; then
    "$PYBABEL" -q update -D "$domain" -i "$OUT/$domain.pot" -d "$OUT" -l zh_CN --no-fuzzy-matching --ignore-obsolete
  else
    "$PYBABEL" -q init -D "$domain" -i "$OUT/$domain.pot" -d "$OUT" -l zh_CN
  fi
  "$PYBABEL" -q compile -D "$domain" -d "$OUT" -l zh_CN --use-fuzzy 2>/dev/null || "$PYBABEL" -q compile -D "$domain" -d "$OUT" -l zh_CN
  rm -f "$OUT/$domain.pot"
done
