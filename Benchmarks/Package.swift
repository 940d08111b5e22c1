// swift-tools-version:6.1
// The benchmark suites of ConvAlgebra (BENCHMARKS.md suite v1), as a sub-package so the library's users
// never pull package-benchmark. Run from the repository root:
//   swift package --package-path Benchmarks benchmark --target Forms --filter "mx-1d/.*"
import PackageDescription

let package = Package(
    name: "ConvAlgebraBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "ConvAlgebra", path: "../"),
        .package(url: "https://github.com/ordo-one/package-benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // MARK: - Shared registration of the library's suite v1 cases
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "ConvAlgebra", package: "ConvAlgebra"), .product(name: "ConvAlgebraBenchmarking", package: "ConvAlgebra"),
                           .product(name: "Benchmark", package: "package-benchmark")]
        ),

        // MARK: - Benchmarks (the plugin finds targets whose parent directory is named Benchmarks)
        .executableTarget(
            name: "DLLayers",
            dependencies: ["BenchmarkSupport", .product(name: "ConvAlgebra", package: "ConvAlgebra"), .product(name: "ConvAlgebraBenchmarking", package: "ConvAlgebra"),
                           .product(name: "Benchmark", package: "package-benchmark")],
            path: "Benchmarks/DLLayers",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "DSP1D",
            dependencies: ["BenchmarkSupport", .product(name: "ConvAlgebra", package: "ConvAlgebra"), .product(name: "ConvAlgebraBenchmarking", package: "ConvAlgebra"),
                           .product(name: "Benchmark", package: "package-benchmark")],
            path: "Benchmarks/DSP1D",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "Forms",
            dependencies: ["BenchmarkSupport", .product(name: "ConvAlgebra", package: "ConvAlgebra"), .product(name: "ConvAlgebraBenchmarking", package: "ConvAlgebra"),
                           .product(name: "Benchmark", package: "package-benchmark")],
            path: "Benchmarks/Forms",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
