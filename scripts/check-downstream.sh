#!/usr/bin/env bash
# A user's first build: a throw-away package that depends on this checkout by path, imports ConvAlgebra and
# uses a little of it, built from scratch in debug with the current toolchain. Fails on any compiler warning
# (a package's warnings are printed in every dependent's build). Usage: scripts/check-downstream.sh [DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$(mktemp -d /tmp/convalgebra-downstream.XXXXXX)}"
mkdir -p "$dir/Sources/Downstream"
cat > "$dir/Package.swift" <<MANIFEST
// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Downstream",
    dependencies: [.package(path: "$repo")],
    targets: [.executableTarget(name: "Downstream", dependencies: [.product(name: "ConvAlgebra", package: "$(basename "$repo")")])]
)
MANIFEST
cat > "$dir/Sources/Downstream/main.swift" <<'SWIFT'
import ConvAlgebra

let strided = try Convolution(kernel: [1.0, 2, 3], inputLength: 8, mode: .same, stride: 2)
print(try strided.symbolic())
let x = try Tensor<Double>(shape: [4, 8], scalars: (0..<32).map(Double.init))
print(try strided.apply(x, form: .dense).shape, ConvAlgebraVersion.string)
SWIFT
rm -rf "$dir/.build"
log="$dir/build.log"
echo "building $dir against $repo (from scratch, debug)"
if ! swift build --package-path "$dir" > "$log" 2>&1; then
  tail -n 40 "$log"; echo "error: the downstream package does not build (log: $log)"; exit 1
fi
warnings=$(grep -c "warning:" "$log" || true)
if [ "$warnings" -ne 0 ]; then
  grep "warning:" "$log" | sort | uniq -c | sort -rn | head -n 30
  echo "error: $warnings warning lines in a downstream build (log: $log)"; exit 1
fi
"$dir/.build/debug/Downstream" > /dev/null
echo "downstream build: 0 warnings ($log)"
