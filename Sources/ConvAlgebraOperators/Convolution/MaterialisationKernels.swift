import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The dense and CSR matrices of a zero-boundary ``ConvolutionGeometry`` with taps, built in O(nnz)
/// (dense: plus the O(m·n) zero fill) by typed loops, without a closure call or a generic multiply per
/// term. Sparse: the rows of the spatial index map are sorted once per output position, then copied for
/// every (output channel, input channel) pair; the transpose is ``CSRBuilder``'s counting sort by column.
/// Dense: the weights are written straight from the index map into the zeroed matrix, no CSR in between.
///
/// Entries are the geometry's terms `A[co·M + p, (g·C_in/G + ci)·N + c(p, τ)] = W[co, ci, τ]`, exactly those
/// of ``StencilOperator``'s enumeration (a zero weight stays a stored entry).
package enum MaterialisationKernels {
    /// Whether the fast builders apply: a zero boundary (no wrapped duplicates) and 32-bit indices.
    package static func applies(_ g: ConvolutionGeometry) -> Bool {
        g.boundary == .zero && g.outChannels * g.outputPlane <= Int(Int32.max) && g.inChannels * g.inputPlane <= Int(Int32.max)
    }

    /// The CSR arrays of the forward operator (`transposed == false`) or of its transpose.
    package static func csr<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], transposed: Bool,
                                   budget: MemoryBudget) throws -> CSRMatrix<S> {
        let (m, n) = (g.outChannels * g.outputPlane, g.inChannels * g.inputPlane)
        // The row offsets first, as `sparseByEnumeration` does: the forward's `m + 1`, and for the transpose its own
        // `n + 1` from the counting sort too. A few terms can have a huge index range (found by `make fuzz`: a
        // transposed convolution of 2 terms and 2.7·10⁸ rows allocated 2.2 GB of offsets under a 16 MiB budget).
        let offsets = transposed ? Swift.max(m, n) : m
        try budget.check("the row offsets of a sparse \(transposed ? n : m) × \(transposed ? m : n) matrix",
                         count: Checked.add(offsets, 1, "the row offsets"), elementBytes: MemoryLayout<Int>.stride)
        let nnz = g.termCount
        try budget.check("a sparse \(transposed ? n : m) × \(transposed ? m : n) matrix with \(nnz) terms", count: nnz,
                         elementBytes: 2 * MemoryLayout<Int32>.stride + 2 * MemoryLayout<S>.stride)
        let map = try g.spatialMap(budget: budget)
        if S.self == Float.self {
            let (o, c, v) = build(g, map, w.withUnsafeBufferPointer { KernelDispatch.cast($0.baseAddress!, to: Float.self) },
                                  nnz: nnz, transposed: transposed)
            return try CSRMatrix(rows: transposed ? n : m, columns: transposed ? m : n, rowOffsets: o, columnIndices: c,
                                 values: unsafeBitCast(v, to: [S].self))
        } else if S.self == Double.self {
            let (o, c, v) = build(g, map, w.withUnsafeBufferPointer { KernelDispatch.cast($0.baseAddress!, to: Double.self) },
                                  nnz: nnz, transposed: transposed)
            return try CSRMatrix(rows: transposed ? n : m, columns: transposed ? m : n, rowOffsets: o, columnIndices: c,
                                 values: unsafeBitCast(v, to: [S].self))
        }
        let forward = try Convolution(geometry: g, taps: w)
        return transposed ? try forward.transposed.sparseByEnumeration(budget: budget) : try forward.sparseByEnumeration(budget: budget)
    }

    /// The dense matrix, written straight from the spatial index map (no CSR in between), after the budget check.
    package static func dense<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], transposed: Bool,
                                     budget: MemoryBudget) throws -> DenseMatrix<S> {
        let (m, n) = (g.outChannels * g.outputPlane, g.inChannels * g.inputPlane)
        let (rows, cols) = transposed ? (n, m) : (m, n)
        let count = try Checked.multiply(rows, cols, "a \(rows) × \(cols) matrix")
        try budget.check("a dense \(rows) × \(cols) matrix", count: count, elementBytes: MemoryLayout<S>.stride)
        let map = try g.spatialMap(budget: budget)
        func fill<T: KernelScalar>(_: T.Type) -> [S] {
            var d = [T](repeating: 0, count: count)
            w.withUnsafeBufferPointer { wp in
                d.withUnsafeMutableBufferPointer { dp in
                    scatter(g, map, KernelDispatch.cast(wp.baseAddress ?? UnsafePointer(bitPattern: 8)!, to: T.self),
                            into: dp.baseAddress!, transposed: transposed)
                }
            }
            return unsafeBitCast(d, to: [S].self)
        }
        let entries: [S]
        if S.self == Float.self { entries = fill(Float.self) } else if S.self == Double.self { entries = fill(Double.self) } else {
            let forward = try Convolution(geometry: g, taps: w)
            return transposed ? try forward.transposed.denseByEnumeration(budget: budget) : try forward.denseByEnumeration(budget: budget)
        }
        return try DenseMatrix(rows: rows, columns: cols, entries: entries)
    }

    /// `A[co·M + p, (g·C_in/G + ci)·N + c(p, τ)] += W[co, ci, τ]` (or at the swapped position of `Aᵀ`) into a
    /// zeroed row-major matrix.
    package static func scatter<T: KernelScalar>(_ g: ConvolutionGeometry, _ map: [Int32], _ w: UnsafePointer<T>,
                                         into d: UnsafeMutablePointer<T>, transposed: Bool) {
        let (M, N, K) = (g.outputPlane, g.inputPlane, g.kernelPlane)
        let (cig, cog) = (g.inChannelsPerGroup, g.outChannelsPerGroup)
        let (m, n) = (g.outChannels * M, g.inChannels * N)
        // Entry (r, c) of A lives at r·n + c, of Aᵀ at c·m + r.
        let (rowStride, colStride) = transposed ? (1, m) : (n, 1)
        map.withUnsafeBufferPointer { map in
            for co in 0..<g.outChannels {
                let grp = co / cog
                for p in 0..<M {
                    let row = (co * M + p) * rowStride
                    for ci in 0..<cig {
                        let colBase = (grp * cig + ci) * N, wBase = (co * cig + ci) * K
                        for tau in 0..<K {
                            let c = Int(map[p * K + tau])
                            if c >= 0 { d[row + (colBase + c) * colStride] += w[wBase + tau] }
                        }
                    }
                }
            }
        }
    }

    package static func build<T: KernelScalar>(_ g: ConvolutionGeometry, _ map: [Int32], _ w: UnsafePointer<T>, nnz: Int,
                                       transposed: Bool) -> ([Int], [Int32], [T]) {
        let (M, N, K) = (g.outputPlane, g.inputPlane, g.kernelPlane)
        let (cig, cog, cout) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.outChannels)
        // Per output position: its in-bounds (column, tap) pairs sorted by column.
        var start = [Int](repeating: 0, count: M + 1)
        var sortedCol = [Int32](), sortedTap = [Int32]()
        sortedCol.reserveCapacity(M * K); sortedTap.reserveCapacity(M * K)
        // A convolution (every tap step negative) reads columns in descending tap order: visit the taps
        // backwards so the insertion below is O(K) per position rather than O(K²).
        let backwards = g.tapStep.allSatisfy { $0 < 0 }
        for p in 0..<M {
            let base = sortedCol.count
            for step in 0..<K {
                let tau = backwards ? K - 1 - step : step
                let c = map[p * K + tau]
                if c < 0 { continue }
                // Insertion into the sorted run (K is small).
                var j = sortedCol.count
                sortedCol.append(c); sortedTap.append(Int32(tau))
                while j > base && sortedCol[j - 1] > c {
                    sortedCol.swapAt(j, j - 1); sortedTap.swapAt(j, j - 1); j -= 1
                }
            }
            start[p + 1] = sortedCol.count
        }
        let m = cout * M
        var offsets = [Int](repeating: 0, count: m + 1)
        var cols = [Int32](repeating: 0, count: nnz), vals = [T](repeating: 0, count: nnz)
        var e = 0
        for co in 0..<cout {
            let grp = co / cog
            for p in 0..<M {
                for ci in 0..<cig {
                    let colBase = Int32((grp * cig + ci) * N), wBase = (co * cig + ci) * K
                    for s in start[p]..<start[p + 1] {
                        cols[e] = colBase + sortedCol[s]
                        vals[e] = w[wBase + Int(sortedTap[s])]
                        e += 1
                    }
                }
                offsets[co * M + p + 1] = e
            }
        }
        guard transposed else { return (offsets, cols, vals) }
        // The transpose: a counting sort by column (rows of Aᵀ); visiting the rows in order keeps each sorted.
        let t = CSRBuilder.countingSort(rows: g.inChannels * N, count: nnz) { (emit: (Int, Int32, T) -> Void) in
            for r in 0..<m {
                for k in offsets[r]..<offsets[r + 1] { emit(Int(cols[k]), Int32(truncatingIfNeeded: r), vals[k]) }
            }
        }
        return (t.rowOffsets, t.columnIndices, t.values)
    }
}
