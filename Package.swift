// swift-tools-version:6.1
import PackageDescription

// The library is a stack of targets whose imports only point down, so the compiler keeps the architecture
// (ARCHITECTURE.md draws it):
//
//   ConvAlgebraCore        shapes, tensors, errors, the memory budget, the scalar protocol, threads, the machine
//   ConvAlgebraBackends    CBLAS / LAPACKE / FFTW conformances of Float and Double, the C micro-kernels' wrapper
//   ConvAlgebraKernels     geometries and the direct (matrix-free) kernels, one folder per operator family
//   ConvAlgebraMatrices    dense (GEMM, LAPACK), CSR and symbolic matrices
//   ConvAlgebraOperators   the operator protocol, its algebra, and one folder per operator family
//   ConvAlgebraPlanning    the `auto` form's cost model
//   ConvAlgebraAnalysis    singular values, norms, least squares, spectra, overlap
//   ConvAlgebraIO          NPY files; matrices as .npz (SciPy's CSR layout, a ZIP), Matrix Market and .npy
//   ConvAlgebraONNX        ONNX models: reader (SwiftProtobuf), graph walk, per-layer analysis (own product)
//   ConvAlgebra            the umbrella: re-exports the public API of all of the above
//
// `package` is the access level between layers; `public` is the API.
let package = Package(
    name: "ConvAlgebra",
    products: [
        .library(name: "ConvAlgebra", targets: ["ConvAlgebra"]),
        .executable(name: "convalgebra", targets: ["convalgebra"]),
        // The benchmark suite v1 and its runner, for the package-benchmark sub-package in Benchmarks/:
        // a product of its own, so none of it is in the library's API.
        .library(name: "ConvAlgebraBenchmarking", targets: ["ConvAlgebraBenchmarking"]),
        // Whole ONNX models (reader, graph walk, per-layer analysis): a product of its own, so the core library
        // does not depend on SwiftProtobuf.
        .library(name: "ConvAlgebraONNX", targets: ["ConvAlgebraONNX"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // MARK: - Public API
        .target(
            name: "ConvAlgebra",
            dependencies: [
                "ConvAlgebraCore", "ConvAlgebraBackends", "ConvAlgebraKernels", "ConvAlgebraMatrices",
                "ConvAlgebraOperators", "ConvAlgebraPlanning", "ConvAlgebraAnalysis", "ConvAlgebraIO",
            ]
        ),
        .executableTarget(
            name: "convalgebra",
            dependencies: [
                "ConvAlgebra", "ConvAlgebraBenchmarking", "ConvAlgebraONNX",
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

        // MARK: - Implementation details (the layers, bottom up)
        .target(name: "ConvAlgebraCore", dependencies: ["CMicroKernels"]),
        .target(name: "ConvAlgebraBackends", dependencies: ["ConvAlgebraCore", "CBLAS", "CLAPACKE", "CFFTW", "CMicroKernels"]),
        .target(name: "ConvAlgebraKernels", dependencies: ["ConvAlgebraCore", "ConvAlgebraBackends", "CMicroKernels"]),
        .target(name: "ConvAlgebraMatrices", dependencies: ["ConvAlgebraCore", "ConvAlgebraBackends", "ConvAlgebraKernels"]),
        .target(name: "ConvAlgebraOperators", dependencies: ["ConvAlgebraCore", "ConvAlgebraBackends", "ConvAlgebraKernels", "ConvAlgebraMatrices"]),
        .target(name: "ConvAlgebraPlanning", dependencies: ["ConvAlgebraCore", "ConvAlgebraKernels", "ConvAlgebraMatrices", "ConvAlgebraOperators"]),
        .target(name: "ConvAlgebraAnalysis", dependencies: ["ConvAlgebraCore", "ConvAlgebraBackends", "ConvAlgebraKernels", "ConvAlgebraMatrices", "ConvAlgebraOperators"]),
        .target(name: "ConvAlgebraIO", dependencies: ["ConvAlgebraCore", "ConvAlgebraBackends", "ConvAlgebraMatrices"]),
        // The benchmark suite and its runner (`convalgebra bench`): not part of the library's API.
        .target(name: "ConvAlgebraBenchmarking", dependencies: [
            "ConvAlgebraCore", "ConvAlgebraBackends", "ConvAlgebraKernels", "ConvAlgebraMatrices",
            "ConvAlgebraOperators", "ConvAlgebraPlanning", "ConvAlgebraIO",
        ]),
        // ONNX models: the generated `onnx.proto` messages (scripts/generate_onnx_proto.sh), the reader, the graph
        // walk onto the operators, and the per-layer analysis. Above Operators and Analysis; not in the umbrella.
        .target(
            name: "ConvAlgebraONNX",
            dependencies: [
                "ConvAlgebraCore", "ConvAlgebraKernels", "ConvAlgebraMatrices", "ConvAlgebraOperators", "ConvAlgebraAnalysis",
                "ConvAlgebraIO", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Proto/onnx.proto", "Proto/LICENSE-ONNX"]
        ),
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
            dependencies: ["ConvAlgebra", "ConvAlgebraBenchmarking", "ConvAlgebraONNX", "_TestSupport"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
