import ConvAlgebraCore
import ConvAlgebraBackends
#if canImport(Glibc)
import Glibc
#endif

/// The dense form ready to apply to row-major batches: the matrix `A` (`rows × columns`) kept as its transpose
/// `Aᵀ` (`columns × rows`), so that `Y = X · Aᵀ` is one GEMM with neither operand transposed — by one of two
/// ``Kernel``s: our own panel GEMM (`PanelGEMM`, `Aᵀ` packed into column panels) or OpenBLAS,
/// `cblas_?gemm(RowMajor, NoTrans, NoTrans, B, m, n, X, n, Aᵀ, m, Y, m)`, the call NumPy makes for `x @ At`
/// with a contiguous `At`; a single sample on OpenBLAS is `y = (Aᵀ)ᵀ·x`, one transposed GEMV.
///
/// Why not `gemm(NoTrans, Trans)` on `A` itself (what ``DenseMatrix/applyUnchecked(_:_:batch:)`` does): OpenBLAS
/// packs the large operand once per call, and packs it from a transposed layout more slowly. With one thread and
/// CPU-time clocks (Zen 4, OpenBLAS 0.3.21 and NumPy's 0.3.31 alike), at 16 samples the transposed call took
/// 1.3–1.8× as long (512 × 1024: 0.48 against 0.26 ms; 8192 × 2048: 22.6 against 15.1 ms); from 256 samples on,
/// where the products outweigh the packing, the two calls are within a few per cent.
///
/// - Complexity: building, `O(m·n)` (one cache-blocked transpose, or the packing); each application `2·B·m·n` FLOPs.
public struct DenseBatchProduct<Scalar: BLASScalar>: Sendable {
    /// Which GEMM applies the matrix.
    public enum Kernel: String, Sendable, CaseIterable {
        /// `PanelGEMM`: FP32 only, on a path with micro-kernels of its own (AVX-512F, AVX2 + FMA).
        case panels
        /// OpenBLAS's GEMM (GEMV for one sample).
        case blas

        /// The kernel a product of `Scalar` gets unless told: the panel GEMM where it runs accelerated (FP32 on
        /// AVX-512F or AVX2 + FMA) and the environment does not say `CONVALGEBRA_GEMM=openblas`, else OpenBLAS.
        public static var preferred: Kernel {
            Scalar.self == Float.self && PanelGEMM.isAccelerated(.current) && !forcedOpenBLAS ? .panels : .blas
        }

        /// Whether this kernel can apply a product of `Scalar` here (the panel GEMM is FP32 only).
        public var isAvailable: Bool { self == .blas || Scalar.self == Float.self }

        private static var forcedOpenBLAS: Bool {
            getenv("CONVALGEBRA_GEMM").map { String(cString: $0) } == "openblas"
        }
    }

    private enum Storage: Sendable {
        case blas([Scalar])
        case panels(PanelGEMM)
    }

    /// `A`'s row count `m` (the output size of one sample) and column count `n` (its input size).
    public let rows: Int, columns: Int
    /// The GEMM that applies it.
    public let kernel: Kernel
    private let storage: Storage

    /// Keeps `a` transposed (the copy is checked against `budget` first: `a` and `Aᵀ` are both held while it is
    /// made, and the panel kernel's packing of `Aᵀ` besides), for `kernel` (``Kernel/preferred`` when nil), or
    /// OpenBLAS when the kernel asked for is not available for `Scalar` or its panels would be mostly padding
    /// (fewer rows than half a panel: a GEMV streams such a matrix once).
    /// - Throws: a memory-budget error.
    public init(_ a: DenseMatrix<Scalar>, budget: MemoryBudget = .default, kernel: Kernel? = nil) throws {
        var chosen = kernel ?? .preferred
        if !chosen.isAvailable || !PanelGEMM.padsLittle(outputs: a.rows) { chosen = .blas }
        var held = a.entries.count
        if chosen == .panels {
            held = try Checked.add(held, PanelGEMM.packedCount(outputs: a.rows, depth: a.columns), "the packed dense matrix")
        }
        try budget.check("the transposed dense \(a.columns) × \(a.rows) matrix", count: held,
                         elementBytes: MemoryLayout<Scalar>.stride)
        (rows, columns, self.kernel) = (a.rows, a.columns, chosen)
        let at = a.transposed().entries
        if chosen == .panels, let atFloat = at as? [Float] {
            storage = .panels(atFloat.withUnsafeBufferPointer { p in
                PanelGEMM(transposed: p.baseAddress ?? UnsafePointer(bitPattern: 4)!, depth: a.columns, outputs: a.rows)
            })
        } else {
            storage = .blas(at)
        }
    }

    /// `Aᵀ` row-major: `Aᵀ[j, i] = A[i, j] = transposedEntries[j · rows + i]` (unpacked from the panels when the
    /// panel kernel holds it: `O(m·n)`).
    public var transposedEntries: [Scalar] {
        switch storage {
        case .blas(let at): return at
        case .panels(let gemm): return gemm.transposedEntries as? [Scalar] ?? []
        }
    }

    /// The scalars held (the panels are padded to whole panels).
    public var storedCount: Int {
        switch storage {
        case .blas(let at): return at.count
        case .panels(let gemm): return gemm.packedCount
        }
    }

    /// The kernel's name with its parameters (`panelGEMM(avx512f 14×32, kc 288)`, `cblas_sgemm`).
    public var kernelName: String {
        switch storage {
        case .blas: return Scalar.self == Float.self ? "cblas_sgemm" : "cblas_dgemm"
        case .panels(let gemm): return gemm.name
        }
    }

    /// `y_b = A · x_b` for every sample `b` of the row-major batch: `x` holds `batch × columns` scalars, `y`
    /// receives `batch × rows`. Nothing is copied or allocated.
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        switch storage {
        case .blas(let at):
            DenseLayout.transposed.apply(at, rows: rows, columns: columns, x, y, batch: batch)
        case .panels(let gemm):
            x.withMemoryRebound(to: Float.self, capacity: batch * columns) { xf in
                y.withMemoryRebound(to: Float.self, capacity: batch * rows) { yf in gemm.apply(xf, yf, batch: batch) }
            }
        }
    }
}
