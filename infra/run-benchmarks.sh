#!/usr/bin/env bash
# `make bench`: run every benchmark and keep its JSON result, with the command that made it.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p benchmarks/results
for name in $(.venv/bin/python -c "from parkloop.benchmarks import BENCHMARKS; print(' '.join(BENCHMARKS))"); do
  command=".venv/bin/parkloop bench $name"
  echo "bench: $command"
  $command | .venv/bin/python -c "
import json, sys, datetime
result = json.load(sys.stdin)
result['command'] = sys.argv[1]
result['measured_at'] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
json.dump(result, open(f'benchmarks/results/{sys.argv[2]}.json', 'w'), indent=2)
print(json.dumps(result, indent=2))" "$command" "$name"
done
