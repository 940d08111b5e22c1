// swift-tools-version:6.1
// libFuzzer targets of ConvAlgebra (issue 13), a sub-package so that the library's build never sees the
// fuzzer flags. Built and run by `make fuzz` from the repository root:
//   swift build --package-path Fuzz -c release --sanitize fuzzer --sanitize address
//   Fuzz/.build/release/FuzzNPY Fuzz/Corpus/npy -dict=Fuzz/npy.dict -max_total_time=60
import PackageDescription

let package = Package(
    name: "ConvAlgebraFuzz",
    dependencies: [.package(name: "ConvAlgebra", path: "../")],
    targets: [
        // The NPY reader on arbitrary bytes.
        .executableTarget(
            name: "FuzzNPY",
            dependencies: [.product(name: "ConvAlgebra", package: "ConvAlgebra")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        // The CLI's option values → operator construction (sizes, strides, paddings, factors of every family).
        .executableTarget(
            name: "FuzzOperators",
            dependencies: [.product(name: "ConvAlgebra", package: "ConvAlgebra")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
