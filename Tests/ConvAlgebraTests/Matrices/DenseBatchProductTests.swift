@testable import ConvAlgebra
import Testing
import _TestSupport

@Suite struct DenseBatchProductTests {
    /// `Y = X · Aᵀ` through the stored `Aᵀ` (one untransposed GEMM; one GEMV for a single sample) against a naive
    /// loop over `A`'s own entries, into NaN-filled outputs, for empty and degenerate sizes too.
    /// Both kernels (the panel GEMM is FP32 only: asked for in FP64 it falls back to OpenBLAS).
    @Test(arguments: Precision.allCases, [(1, 1, 1), (3, 5, 2), (7, 1, 6), (0, 3, 2), (4, 0, 3), (33, 17, 40), (5, 9, 0),
                                                    (20, 30, 50), (64, 10, 17), (16, 4, 0)])
    func applicationMatchesANaiveLoop(precision: Precision, size: (Int, Int, Int)) throws {
        for kernel in DenseBatchProduct<Float>.Kernel.allCases { try check(precision.scalarType, size, kernel) }
    }

    /// Unless told, FP32 takes the panel GEMM where it has a kernel path of its own, FP64 always OpenBLAS, and so
    /// does a matrix of fewer rows than half a panel; the names say which ran.
    @Test func preferredKernel() throws {
        let a = try DenseMatrix<Float>(zeros: 32, 4)
        let float = try DenseBatchProduct(a), double = try DenseBatchProduct(DenseMatrix<Double>(zeros: 32, 4), kernel: .panels)
        #expect(try DenseBatchProduct(DenseMatrix<Float>(zeros: 3, 4), kernel: .panels).kernel == .blas)
        #expect(float.kernel == .preferred && DenseBatchProduct<Double>.Kernel.preferred == .blas)
        #expect(DenseBatchProduct<Float>.Kernel.preferred == .blas || MachineProfile.KernelISA.current != .portable)
        #expect(double.kernel == .blas && double.kernelName == "cblas_dgemm")
        #expect(try DenseBatchProduct(a, kernel: .blas).kernelName == "cblas_sgemm")
        #expect(try DenseBatchProduct(a, kernel: .panels).kernelName.hasPrefix("panelGEMM("))
    }

    private func check<S: BLASScalar>(_: S.Type, _ size: (Int, Int, Int), _ kernel: DenseBatchProduct<Float>.Kernel) throws {
        let (m, n, batch) = size
        var rng = SplitMix64(seed: UInt64(m * 10_000 + n * 100 + batch))
        let a = try DenseMatrix<S>(rows: m, columns: n, entries: randomScalars(m * n, using: &rng))
        let product = try DenseBatchProduct(a, kernel: DenseBatchProduct<S>.Kernel(rawValue: kernel.rawValue))
        #expect(product.rows == m && product.columns == n)
        let panels = S.self == Float.self && kernel == .panels && PanelGEMM.padsLittle(outputs: m)
        #expect(product.kernel.rawValue == (panels ? "panels" : "blas"))
        for i in 0..<m { for j in 0..<n { #expect(product.transposedEntries[j * m + i] == a[i, j]) } }
        for samples in Set([1, batch]) where samples > 0 {
            let x: [S] = randomScalars(samples * n, using: &rng)
            var y: [S] = nanFilled(count: samples * m)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                if let yb = yp.baseAddress { product.applyUnchecked(xp.baseAddress ?? UnsafePointer(bitPattern: 8)!, yb, batch: samples) }
            } }
            var expected = [S](repeating: 0, count: samples * m)
            for b in 0..<samples { for i in 0..<m { for j in 0..<n { expected[b * m + i] += a[i, j] * x[b * n + j] } } }
            expectAllClose(y, expected, "\(m) × \(n), \(samples) samples, \(product.kernelName)")
        }
    }

    /// The transposed copy is budgeted before it is made.
    @Test func theCopyIsBudgeted() throws {
        let a = try DenseMatrix<Float>(zeros: 64, 64)
        #expect(throws: ConvAlgebraError.self) { try DenseBatchProduct(a, budget: MemoryBudget(bytes: 1024)) }
        // The panel kernel's packing counts too: Aᵀ fits alone (16 KiB), not with the panels beside it.
        #expect(throws: ConvAlgebraError.self) {
            try DenseBatchProduct(a, budget: MemoryBudget(bytes: 64 * 64 * 4 + 1024), kernel: .panels)
        }
        _ = try DenseBatchProduct(a, budget: MemoryBudget(bytes: 64 * 64 * 4 + 1024), kernel: .blas)
    }
}
