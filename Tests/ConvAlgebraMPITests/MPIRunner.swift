import ConvAlgebra
import _TestSupport
import Foundation
import Testing

/// Runs `convalgebra-mpi` under `mpirun -np P` on loopback, and `convalgebra` as the single-machine reference, in
/// one scratch directory per test.
///
/// Binaries: `$CONVALGEBRA_MPI_BIN` (set by `make test-mpi`) or `.build/release/convalgebra-mpi`; `$CONVALGEBRA_BIN`
/// or `.build/debug|release/convalgebra`. A missing binary fails the test with a message (never a silent skip).
/// `mpirun` runs with `$MPIRUN_FLAGS` (default: shared memory and loopback only), as root where the container
/// needs it, one OpenBLAS thread per process.
struct MPIRunner {
    typealias Result = ProcessResult

    struct NotBuilt: Error, CustomStringConvertible { var description: String }

    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "convalgebra-mpi-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private static func find(_ env: String, _ name: String, configs: [String]) -> String? {
        var candidates = ProcessInfo.processInfo.environment[env].map { [$0] } ?? []
        candidates += configs.map { root.appendingPathComponent(".build/\($0)/\(name)").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let mpiExecutable = find("CONVALGEBRA_MPI_BIN", "convalgebra-mpi", configs: ["release", "debug"])
    static let executable = find("CONVALGEBRA_BIN", "convalgebra", configs: ["debug", "release"])

    /// `mpirun -np processes convalgebra-mpi arguments…`.
    func mpi(_ processes: Int, _ arguments: [String]) throws -> Result {
        guard let exe = Self.mpiExecutable else {
            throw NotBuilt(description: "convalgebra-mpi was not found: run `make mpi` (make test-mpi does) or set CONVALGEBRA_MPI_BIN")
        }
        let flags = (ProcessInfo.processInfo.environment["MPIRUN_FLAGS"] ?? "--mca btl self,vader --mca oob_tcp_if_include lo")
            .split(separator: " ").map(String.init)
        return try run("/usr/bin/env", ["mpirun"] + flags + ["--bind-to", "none", "-np", String(processes), exe] + arguments)
    }

    /// `convalgebra arguments…`.
    func single(_ arguments: [String]) throws -> Result {
        guard let exe = Self.executable else {
            throw NotBuilt(description: "convalgebra was not found: run `swift build` or set CONVALGEBRA_BIN")
        }
        return try run(exe, arguments)
    }

    /// Runs a command that must succeed; returns its stdout.
    @discardableResult
    func succeed(_ result: Result, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(result.status == 0, "\(what) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    private func run(_ exe: String, _ arguments: [String]) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OPENBLAS_NUM_THREADS"] = "1"
        return try runChild(exe, arguments, in: directory, environment: environment)
    }

    /// Writes a seeded tensor of values in [−1, 1) as `name`.
    @discardableResult
    func random<S: BLASScalar>(_ name: String, _ shape: [Int], seed: UInt64, as _: S.Type = Double.self) throws -> Tensor<S> {
        var generator = SplitMix64(seed: seed)
        let values: [S] = generator.uniform(try Shape(shape).count)
        let t = try Tensor(shape: try Shape(shape), scalars: values)
        try NPY.write(t, to: path(name))
        return t
    }

    func read(_ name: String) throws -> NPYArray { try NPY.read(path: path(name)) }

    /// The JSON object in `name`.
    func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(name)))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// The largest |a − b| over two arrays of one shape, relative to the largest |b| (at least 1).
func relativeDifference(_ a: NPYArray, _ b: NPYArray) throws -> Double {
    #expect(a.shape == b.shape && a.dtypeName == b.dtypeName, "\(a.shape) \(a.dtypeName) vs \(b.shape) \(b.dtypeName)")
    let x = doubles(a), y = doubles(b)
    guard x.count == y.count else { return .infinity }
    let scale = max(1, y.map(abs).max() ?? 0)
    return zip(x, y).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}

/// The values of an array as Double.
func doubles(_ a: NPYArray) -> [Double] {
    switch a {
    case .float32(let t): return t.scalars.map(Double.init)
    case .float64(let t): return t.scalars
    }
}
