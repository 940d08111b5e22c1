// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ConvAlgebra",
    products: [
        .library(name: "ConvAlgebra", targets: ["ConvAlgebra"]),
        .executable(name: "convalgebra", targets: ["convalgebra"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Public API
        .target(
            name: "ConvAlgebra",
            dependencies: ["CBLAS", "CLAPACKE", "CFFTW", "CMicroKernels"]
        ),
        .executableTarget(
            name: "convalgebra",
            dependencies: [
                "ConvAlgebra",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "Demo",
            dependencies: ["ConvAlgebra"]
        ),
        .executableTarget(
            name: "ReadmeExample",
            dependencies: ["ConvAlgebra"]
        ),

        // MARK: - Implementation details
        // FP32 GEMM micro-kernels in C: AVX2 + FMA through function-level target attributes, picked at run
        // time, so the package needs no unsafe compiler flags (which would bar it as a dependency).
        .target(name: "CMicroKernels"),
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CLAPACKE",
            path: "Sources/CLAPACKE",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CFFTW",
            path: "Sources/CFFTW",
            pkgConfig: "fftw3f",
            providers: [.apt(["libfftw3-dev"])]
        ),

        // MARK: - Tests
        .target(
            name: "_TestSupport",
            dependencies: ["ConvAlgebra"]
        ),
        .testTarget(
            name: "ConvAlgebraTests",
            dependencies: ["ConvAlgebra", "_TestSupport"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
