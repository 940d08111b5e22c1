import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The direct forms of the weight gradient `dW = Σ_batch B(x_b)ᵀ dy_b`, shared by ``TransposedWeightGradient``
/// and the layers' `backward`.
///
/// ```
/// dW[co, ci, τ] = Σ_b Σ_p a_b[co, p] · c_b[g·C_in/G + ci, T(p, τ)]
/// ```
/// `a` lives on the convolution's output side (`C_out × M` per sample), `c` on its input side (`C_in × N`),
/// `T` is the geometry's spatial index map (−1 reads a zero). For a convolution `a = dy`, `c = x`; for a
/// transposed convolution `a = x`, `c = dy`.
package enum WeightGradientKernel: String, CaseIterable, Sendable {
    /// Plain loops over the index map, output channels in parallel.
    case loops
    /// Per sample and group, the column matrix `col[p, ci·K + τ] = c[ci, T(p, τ)]`, then one GEMM
    /// `dW_g += a_g · col` (`C_out/G × M` times `M × C_in/G·K`).
    case gemm
}

package enum WeightGradientKernels {
    /// Below this many weights per group per tap (`C_in/G · C_out/G`) a GEMM is too thin to pay for the
    /// column matrix (the same rule as the forward kernels).
    package static let gemmMinimumChannelProduct = 16
    /// The most scalars a column matrix may take (the loops run beyond it).
    package static let columnScratchLimit = 1 << 23

    package static func choose(_ g: ConvolutionGeometry) -> WeightGradientKernel {
        let columns = g.outputPlane.multipliedReportingOverflow(by: g.inChannelsPerGroup * g.kernelPlane)
        guard g.inChannelsPerGroup * g.outChannelsPerGroup >= gemmMinimumChannelProduct, !columns.overflow,
              columns.partialValue <= columnScratchLimit, g.outputPlane > 0 else { return .loops }
        return .gemm
    }

    /// `dW = Σ_{b < batch} (the correlation of a_b with c_b)`, overwriting `dw` (`weightCount` scalars).
    /// - Complexity: `2 · batch · C_out · M · C_in/G · K` FLOPs either way.
    package static func accumulate<S: BLASScalar>(_ g: ConvolutionGeometry, outputSide a: UnsafePointer<S>, inputSide c: UnsafePointer<S>,
                                          batch: Int, into dw: UnsafeMutablePointer<S>, kernel: WeightGradientKernel? = nil) {
        dw.update(repeating: 0, count: g.weightCount)
        guard batch > 0, g.outputPlane > 0 else { return }
        let map = try! g.spatialMap(budget: .unlimited)
        let (N, M) = (g.inputPlane, g.outputPlane)
        map.withUnsafeBufferPointer { mp in
            switch kernel ?? choose(g) {
            case .loops:
                for b in 0..<batch { loops(g, mp, a + b * g.outChannels * M, c + b * g.inChannels * N, dw) }
            case .gemm:
                gemm(g, mp, a, c, batch: batch, dw)
            }
        }
    }

    /// `dW[co, ci, τ] += Σ_p a[co, p] · c[g·C_in/G + ci, T(p, τ)]` for one sample; each output channel
    /// (a parallel job) writes only its own rows of `dW`.
    package static func loops<S: BLASScalar>(_ g: ConvolutionGeometry, _ map: UnsafeBufferPointer<Int32>, _ a: UnsafePointer<S>,
                                     _ c: UnsafePointer<S>, _ dw: UnsafeMutablePointer<S>) {
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog) = (g.inChannelsPerGroup, g.outChannelsPerGroup)
        Parallel.forEach(jobs: g.outChannels, work: g.outChannels * M * cig * K) { co in
            let grp = co / cog
            let ap = a + co * M
            for ci in 0..<cig {
                let cp = c + (grp * cig + ci) * N
                let out = dw + (co * cig + ci) * K
                for p in 0..<M {
                    let ay = ap[p], row = p * K
                    for tau in 0..<K {
                        let i = Int(map[row + tau])
                        if i >= 0 { out[tau] += ay * cp[i] }
                    }
                }
            }
        }
    }

    /// The GEMM form: per sample and group, `col` (`M × C_in/G·K`) then `dW_g += a_g · col`.
    package static func gemm<S: BLASScalar>(_ g: ConvolutionGeometry, _ map: UnsafeBufferPointer<Int32>, _ a: UnsafePointer<S>,
                                    _ c: UnsafePointer<S>, batch: Int, _ dw: UnsafeMutablePointer<S>) {
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog) = (g.inChannelsPerGroup, g.outChannelsPerGroup)
        let columns = cig * K
        var col = [S](repeating: 0, count: M * columns)
        col.withUnsafeMutableBufferPointer { colp in
            let cb = colp.baseAddress!
            for b in 0..<batch {
                let ab = a + b * g.outChannels * M, xb = c + b * g.inChannels * N
                for grp in 0..<g.groups {
                    // col[p, ci·K + τ] = c[grp·cig + ci, T(p, τ)]; rows in parallel (disjoint writes).
                    Parallel.forEach(jobs: M, work: M * columns) { p in
                        let row = cb + p * columns
                        for ci in 0..<cig {
                            let cp = xb + (grp * cig + ci) * N
                            for tau in 0..<K {
                                let i = Int(map[p * K + tau])
                                row[ci * K + tau] = i >= 0 ? cp[i] : 0
                            }
                        }
                    }
                    S.gemm(transposeA: false, transposeB: false, m: cog, n: columns, k: M, alpha: 1,
                           a: ab + grp * cog * M, lda: M, b: UnsafePointer(cb), ldb: columns,
                           beta: 1, c: dw + grp * cog * columns, ldc: columns)
                }
            }
        }
    }
}
