#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of one area of the security-critical code, with the unit tests only.
#
#   eng/mutation.sh [area] [--concurrency N]
#
# Areas: tokens, presentation, caching, issuers, entitlements, requirements (default: tokens).
# Each run takes minutes (see docs/TESTING.md for the figures); it is not part of .ci/run.
# Writes artifacts/mutation/<area>/summary.txt (score, counts, every surviving or uncovered mutant
# as file:line mutator "replacement") and the Stryker HTML/JSON reports beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

area=tokens
concurrency=1
while [ $# -gt 0 ]; do
  case "$1" in
    --concurrency) concurrency="$2"; shift 2 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) area="$1"; shift ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The unit tests: never the real OP processes, example or sample processes, benchmarks, Redis
# servers or CLI processes (slow, and they test wiring, not these guards). Each mutant runs only the
# tests that cover it, but every selected test runs twice up front (plain, then recording coverage,
# which is slow), so each area selects the test folders that exercise it: a mutant only another
# folder's tests would kill counts as a survivor, so the score is a lower bound.
unit="TestCategory!=EndToEnd"
for ns in EndToEnd Examples Benchmarks Redis Docs Cli; do
  unit="$unit&FullyQualifiedName!~Flaat.Tests.$ns."
done
tests() {
  local any=""
  for ns in "$@"; do any="${any:+$any|}FullyQualifiedName~Flaat.Tests.$ns."; done
  filter="$unit&($any)"
}

# One Stryker run mutates one project: an area is one or more (project, file globs) runs.
runs=()
case "$area" in
  tokens)
    tests Core.Tokens Core.Engine Core.Parity
    # DPoP (Dpop*) is its own area: it changes often and has its own property tests.
    runs+=("Flaat.Core|**/Tokens/*.cs,!**/Tokens/Dpop*.cs,**/NumericDate.cs") ;;
  dpop)
    tests Core.Tokens Core.Evaluation
    runs+=("Flaat.Core|**/Tokens/Dpop*.cs") ;;
  presentation)
    tests Core.Evaluation AspNetCore
    runs+=("Flaat.Core|**/Evaluation/BearerToken.cs,**/Evaluation/PresentedToken.cs,**/TokenGrammar.cs")
    runs+=("Flaat.AspNetCore|**/Http/AuthorizationHeaderTokenReader.cs,**/Http/ConnectionTokenMemo.cs,**/Http/FlaatTokenReaders.cs") ;;
  caching)
    tests Core.Caching Core.Engine Core.Evaluation
    runs+=("Flaat.Core|**/Caching/*.cs,!**/Caching/MemoryReplayCache.cs,**/TokenHash.cs") ;;
  issuers)
    tests Core.Issuers Core.Engine Core.Http Core.Tokens
    runs+=("Flaat.Core|**/Issuers/*.cs") ;;
  entitlements)
    tests Core.Entitlements Core.Requirements
    runs+=("Flaat.Core|**/Entitlements/*.cs") ;;
  requirements)
    tests Core.Requirements Core.Entitlements Core.Evaluation
    runs+=("Flaat.Core|**/Requirements/*.cs") ;;
  *) echo "unknown area '$area' (tokens, presentation, caching, issuers, entitlements, requirements, dpop)" >&2; exit 2 ;;
esac

dotnet tool restore >/dev/null
started=$(date +%s)
out="$root/artifacts/mutation/$area"
rm -rf "$out"
mkdir -p "$out"
reports=()
i=0
for run in "${runs[@]}"; do
  project="${run%%|*}"
  IFS=',' read -r -a globs <<< "${run#*|}"
  mutate=()
  for g in "${globs[@]}"; do mutate+=(--mutate "$g"); done
  dir="$out/run$i"
  echo "== $area: Stryker on $project (${run#*|})"
  (cd Flaat.Tests && dotnet dotnet-stryker \
      --project "$project.csproj" \
      "${mutate[@]}" \
      --test-case-filter "$filter" \
      --concurrency "$concurrency" \
      --reporter Json --reporter Html --reporter Progress \
      --skip-version-check \
      --output "$dir") || { echo "Stryker failed on $project" >&2; exit 1; }
  reports+=("$dir/reports/mutation-report.json")
  i=$((i + 1))
done

minutes=$(( ($(date +%s) - started + 59) / 60 ))
python3 - "$area" "$root" "$out/summary.txt" "$minutes" "${reports[@]}" <<'PY'
import json, os, sys
area, root, target, minutes, reports = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
counts = {}
lines = []
for path in reports:
    report = json.load(open(path, encoding="utf-8"))
    for name, f in sorted(report["files"].items()):
        rel = os.path.relpath(name, root) if os.path.isabs(name) else name
        src = f.get("source", "").splitlines()
        for m in sorted(f["mutants"], key=lambda m: (m["location"]["start"]["line"], m["location"]["start"]["column"])):
            status = m["status"]
            counts[status] = counts.get(status, 0) + 1
            if status in ("Survived", "NoCoverage"):
                line = m["location"]["start"]["line"]
                replacement = " ".join(m.get("replacement", "").split())
                if len(replacement) > 80:
                    replacement = replacement[:77] + "..."
                lines.append(f"{status:10} {rel}:{line} {m['mutatorName']}: {replacement}")
detected = counts.get("Killed", 0) + counts.get("Timeout", 0)
undetected = counts.get("Survived", 0) + counts.get("NoCoverage", 0)
score = 100.0 * detected / (detected + undetected) if detected + undetected else 100.0
with open(target, "w", encoding="utf-8") as out:
    out.write(f"area: {area} ({minutes} min)\n")
    out.write(f"mutation score: {score:.1f} % ({detected} detected, {undetected} undetected)\n")
    out.write("counts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + "\n\n")
    out.write("\n".join(lines) + ("\n" if lines else ""))
print(open(target, encoding="utf-8").read())
PY
echo "summary: $out/summary.txt"
