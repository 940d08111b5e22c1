#!/usr/bin/env bash
# The DocC site of the ConvAlgebra module (make docs): a static site in DIR (default .build/docs), failing on any
# DocC warning. The umbrella module has no code of its own, only `@_exported import`s of the layers, and SwiftPM's
# symbol graph of it is empty; so the symbol graph is extracted here with the layers' public symbols re-exported
# (swift-symbolgraph-extract -experimental-allowed-reexported-modules) and handed to swift-docc-plugin's
# generate-documentation as an additional symbol graph. Usage: scripts/make-docs.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.build/docs}"
swift build --target ConvAlgebra
bin="$(swift build --show-bin-path)"
graphs=.build/symbol-graphs/ConvAlgebra
rm -rf "$graphs" && mkdir -p "$graphs"
layers=$(sed -n 's/^@_exported import \(.*\)$/\1/p' Sources/ConvAlgebra/ConvAlgebra.swift | paste -sd, -)
args=(-module-name ConvAlgebra -target "$(uname -m)-unknown-linux-gnu" -I "$bin/Modules"
      -Xcc -fmodule-map-file="$bin/CMicroKernels.build/module.modulemap" -Xcc -I -Xcc Sources/CMicroKernels/include
      -Xcc -fmodule-map-file="$bin/CBuildInfo.build/module.modulemap" -Xcc -I -Xcc Sources/CBuildInfo/include
      -minimum-access-level public -output-dir "$graphs" -experimental-allowed-reexported-modules="$layers")
for lib in CBLAS CLAPACKE CFFTW; do args+=(-Xcc -fmodule-map-file="Sources/$lib/module.modulemap"); done
swift-symbolgraph-extract "${args[@]}"
mkdir -p "$(dirname "$out")"
log="$out.log"
status=0
swift package --allow-writing-to-directory "$out" generate-documentation --target ConvAlgebra --output-path "$out" \
  --transform-for-static-hosting --additional-symbol-graph-dir "$graphs" --warnings-as-errors > "$log" 2>&1 || status=$?
warnings=$(grep -cE "warning:|error:" "$log" || true)
if [ "$status" -ne 0 ] || [ "$warnings" -ne 0 ]; then
  grep -E -A3 "warning:|error:" "$log" | head -n 80
  echo "error: DocC reported $warnings warnings or errors (exit $status; log: $log)"; exit 1
fi
echo "documentation: $out/documentation/convalgebra/index.html (0 DocC warnings; log: $log)"
