#!/usr/bin/env bash
# Adds every public symbol the build reports as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and drops lines the analyzer reports as gone (RS0017).
# Review the diff: it is the change to Flaat's public surface.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
dotnet build "${1:-Flaat.sln}" -p:TreatWarningsAsErrors=false -nologo -clp:NoSummary >"$log" 2>&1 || true
python3 - "$log" <<'PY'
import re, sys, collections
adds, removes = collections.defaultdict(set), collections.defaultdict(set)
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"^(\S+?\.cs)\(\d+,\d+\): (?:warning|error) (RS0016|RS0017): Symbol '(.+?)' is (?:not part of the declared|part of the declared).*\[(\S+\.csproj)\]", line)
    if not m:
        continue
    _, code, symbol, proj = m.groups()
    folder = proj.rsplit("/", 1)[0]
    (adds if code == "RS0016" else removes)[folder].add(symbol)
for folder in set(adds) | set(removes):
    path = f"{folder}/PublicAPI.Unshipped.txt"
    lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")]
    header = [l for l in lines if l.startswith("#")]
    body = {l for l in lines if l and not l.startswith("#")}
    body = (body | adds[folder]) - removes[folder]
    open(path, "w", encoding="utf-8").write("\n".join(header + sorted(body)) + "\n")
    print(f"{path}: +{len(adds[folder])} -{len(removes[folder])}")
PY
rm -f "$log"
