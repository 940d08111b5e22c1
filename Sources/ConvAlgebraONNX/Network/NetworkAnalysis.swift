import Foundation
import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import ConvAlgebraAnalysis

/// The spectral analysis of every linear layer of a ``Network`` and the product bound on its Lipschitz constant.
///
/// Per layer: the exact largest singular value of the layer's operator — by the dense SVD (`?gesdd`, all values)
/// when the matrix is small (at most ``denseLimit`` entries) or `smallest` is asked and it fits the budget, else by
/// ``BlockLanczos`` (``blockSize`` vectors per step, a basis of ``maxBasis``) on the operator's batched direct forms (a
/// convolution's Krylov iteration on its `float32` copy, the certificate in `float64`), stopped when the certified relative
/// bound on `σ₁` (Rayleigh quotient below, Kato–Temple / Weyl residual bound above) falls to ``tolerance``; the structural
/// non-zeros; the reshaped-weight norm (what `torch.nn.utils.spectral_norm` normalises by) and the ratio; for a
/// convolution whose input is its output times the stride the circular-padding FFT value (exact for circular padding,
/// an approximation here; strided ones by the polyphase blocks of ``CircularConvolutionSpectrum``); for a
/// transposed convolution the checkerboard overlap (``OverlapPattern``).
///
/// ```
/// let a = try NetworkAnalysis(network: Network(model: ONNXModel(contentsOf: "g.onnx")), smallest: true)
/// a.layers[0].spectralNorm, a.lipschitzBound
/// ```
public struct NetworkAnalysis: Sendable {
    /// One layer's numbers.
    public struct Layer: Sendable {
        public let layer: NetworkLayer
        /// The structural non-zeros of the matrix (the CSR pattern; for a layer too large to materialise, the
        /// stencil's term count).
        public let nnz: Int?
        /// `σ₁`, and how it was computed: `gesdd` (dense SVD, exact to rounding) or `block-lanczos` (``BlockLanczos``:
        /// the Rayleigh quotient `‖A z‖` of the top Ritz vector, a lower bound).
        public let spectralNorm: Double
        /// The certified upper bound on `σ₁` (``CertifiedSingularValue/upperBound``; `spectralNorm` for gesdd).
        public let upperBound: Double
        public let method: String
        /// Block-Lanczos steps, vectors sent through the operator and its transpose, and whether the certified
        /// relative bound met the tolerance (nil, nil, true for gesdd).
        public let iterations: Int?
        public let products: Int?
        public let converged: Bool
        /// Wall seconds of the block Lanczos run spent in the operator's batched applies (nil for gesdd).
        public let operatorSeconds: Double?
        /// Wall seconds of `σ₁` alone (the dense SVD or the block Lanczos run, with its start vectors).
        public let spectralNormSeconds: Double
        /// The process's CPU seconds (every thread) during `σ₁` alone: on a shared machine, the time the run cost.
        public let spectralNormCPUSeconds: Double
        /// `‖W reshaped‖₂` and `σ₁ / ‖W reshaped‖₂` (layers with a weight).
        public let reshapedWeightNorm: Double?
        public var ratio: Double? { reshapedWeightNorm.map { spectralNorm / $0 } }
        /// `σ_min` and `σ₁/σ_min` (when asked and the dense SVD fits; nil otherwise).
        public let smallestSingularValue: Double?
        public var conditionNumber: Double? { smallestSingularValue.map { $0 > 0 ? spectralNorm / $0 : .infinity } }
        /// The largest singular value of the circular-padding convolution with the same taps (FFT; convolutions whose
        /// input size is the output size times the stride).
        public let circularNorm: Double?
        /// The checkerboard overlap of a transposed convolution.
        public let overlap: OverlapPattern?
        /// Wall time of this layer's analysis, in seconds.
        public let seconds: Double
    }

    public let network: Network
    public let layers: [Layer]
    /// The certified relative tolerance of the block Lanczos runs.
    public let tolerance: Double
    /// The product bound on the network's Lipschitz constant (NaN when an op was skipped).
    public var lipschitzBound: Double { network.lipschitzBound(norms: layers.map(\.spectralNorm)) }

    /// The default block size and basis cap of the ``BlockLanczos`` runs: two vectors per step, because the top of a
    /// zero-padded convolution's spectrum is a nearly degenerate pair (the circular spectrum's `±μ` frequencies,
    /// split slightly by the border) that one vector resolves slowly and whose gap it misjudges; 32 basis vectors
    /// (restarts keep 16), because re-orthogonalisation reads the whole basis four times per step and a larger one
    /// made the memory traffic, not the operator, the cost (Guides/Networks.md, ResNet-18 at 224 × 224).
    public static let blockSize = 2
    public static let maxBasis = 32
    /// Matrices up to this many entries (8 MiB in float64) get the dense SVD even without `smallest`.
    public static let denseLimit = 1 << 20
    /// The largest dense SVD run for `smallest`, in FLOPs (≈ 4·m·n·min(m, n)): about a minute on two cores.
    public static let smallestFlopLimit = 2e11

    /// Analyses every layer of `network`.
    /// - Parameters:
    ///   - smallest: compute `σ_min` and the condition number (dense SVD, where it fits the budget and
    ///     ``smallestFlopLimit``).
    ///   - tolerance: block Lanczos stops when its certified relative bound on `σ₁` falls to this.
    ///   - denseLimit: matrices up to this many entries get the dense SVD (default ``denseLimit``; 0 sends every
    ///     layer to block Lanczos unless `smallest` asks for the dense SVD).
    ///   - mixedPrecision: run block Lanczos's Krylov iteration on a `float32` copy of a convolution layer (the
    ///     single-precision kernels) and certify in `float64` (``BlockLanczos/largestSingularValue(of:fast:start:budget:progress:)``:
    ///     the same certified tolerance); false: every apply in `float64`.
    ///   - progress: called with one line per layer (with the CPU seconds of its phases), and within a long block Lanczos run about every 10 s with its
    ///     step, estimate and certified gap (the CLI prints them on stderr).
    /// - Throws: memory-budget and LAPACK errors.
    public init(network: Network, smallest: Bool = false, tolerance: Double = 1e-9, maxIterations: Int = 2000,
                blockSize: Int = NetworkAnalysis.blockSize, maxBasis: Int = NetworkAnalysis.maxBasis,
                denseLimit: Int = NetworkAnalysis.denseLimit, mixedPrecision: Bool = true, budget: MemoryBudget = .default,
                progress: ((String) -> Void)? = nil) throws {
        self.network = network
        self.tolerance = tolerance
        var out: [Layer] = []
        for (k, layer) in network.layers.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            let label = "[\(k + 1)/\(network.layers.count)] \(layer.name) (\(layer.op))"
            let lanczos = BlockLanczos(tolerance: tolerance, blockSize: blockSize, maxBasis: maxBasis, maxSteps: maxIterations)
            let item = try Self.analyse(layer, smallest: smallest, lanczos: lanczos, mixedPrecision: mixedPrecision,
                                        denseLimit: denseLimit, budget: budget, progress: progress.map { line in Self.throttled(label, line) })
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            out.append(Layer(layer: layer, nnz: item.nnz, spectralNorm: item.sigma, upperBound: item.upper ?? item.sigma,
                             method: item.method, iterations: item.iterations, products: item.products,
                             converged: item.converged, operatorSeconds: item.operatorSeconds,
                             spectralNormSeconds: item.sigmaSeconds, spectralNormCPUSeconds: item.sigmaCPUSeconds, reshapedWeightNorm: item.weightNorm, smallestSingularValue: item.smallest,
                             circularNorm: item.circular, overlap: item.overlap, seconds: seconds))
            let steps = item.iterations.map { " (\($0) block steps, \(item.products ?? 0) vectors)" } ?? ""
            let phases = String(format: "CPU s: nnz %.2f, σ₁ %.2f, ‖W‖ %.2f, circular %.2f", item.nnzCPUSeconds, item.sigmaCPUSeconds,
                                item.weightNormCPUSeconds, item.circularCPUSeconds)
            progress?(String(format: "[%d/%d] %@ (%@): σ₁ = %.10g by %@%@ in %.2f s (%@)", k + 1, network.layers.count,
                             layer.name, layer.op, item.sigma, item.method, steps, seconds, phases))
        }
        layers = out
    }

    private struct Item {
        var nnz: Int?, sigma = 0.0, upper: Double?, method = "gesdd", iterations: Int?, products: Int?, converged = true
        var operatorSeconds: Double?, sigmaSeconds = 0.0, sigmaCPUSeconds = 0.0
        var nnzCPUSeconds = 0.0, weightNormCPUSeconds = 0.0, circularCPUSeconds = 0.0
        var weightNorm: Double?, smallest: Double?, circular: Double?, overlap: OverlapPattern?
    }

    /// A block Lanczos progress callback that prints a line about every 10 s.
    static func throttled(_ label: String, _ line: @escaping (String) -> Void) -> (Int, Double, Double) -> Void {
        var last = DispatchTime.now().uptimeNanoseconds
        return { step, estimate, gap in
            let now = DispatchTime.now().uptimeNanoseconds
            guard now - last >= 10_000_000_000 else { return }
            last = now
            line(String(format: "%@: block step %d, σ₁ ≈ %.10g, certified relative gap %.1e", label, step, estimate, gap))
        }
    }

    private static func analyse(_ layer: NetworkLayer, smallest: Bool, lanczos: BlockLanczos, mixedPrecision: Bool,
                                denseLimit: Int, budget: MemoryBudget, progress: ((Int, Double, Double) -> Void)?) throws -> Item {
        let op = layer.linear
        let (m, n) = op.matrixSize
        var item = Item()
        let nnzCPU = ProcessClock.seconds()
        item.nnz = try nonzeros(op, budget: budget)
        item.nnzCPUSeconds = ProcessClock.seconds() - nnzCPU
        let entries = Double(m) * Double(n)
        let denseFits = entries * 16 <= Double(budget.bytes)
        let flops = 4 * entries * Double(Swift.min(m, n))
        let sigmaStart = DispatchTime.now().uptimeNanoseconds, sigmaCPU = ProcessClock.seconds()
        if entries <= Double(denseLimit) || (smallest && denseFits && flops <= smallestFlopLimit) {
            let values = try op.singularSpectrum(budget: budget).values
            item.sigma = values.first ?? 0
            if smallest { item.smallest = values.last ?? 0 }
        } else {
            let start = try startVectors(layer, budget: budget)
            let estimate = try mixedPrecision ? floatCopy(layer).map {
                try lanczos.largestSingularValue(of: op, fast: $0, start: start, budget: budget, progress: progress)
            } ?? lanczos.largestSingularValue(of: op, start: start, budget: budget, progress: progress)
                : lanczos.largestSingularValue(of: op, start: start, budget: budget, progress: progress)
            item.sigma = estimate.value
            item.upper = estimate.upperBound
            item.method = "block-lanczos"
            item.iterations = estimate.steps
            item.products = estimate.products
            item.converged = estimate.converged
            item.operatorSeconds = estimate.operatorSeconds
        }
        item.sigmaSeconds = Double(DispatchTime.now().uptimeNanoseconds - sigmaStart) / 1e9
        item.sigmaCPUSeconds = ProcessClock.seconds() - sigmaCPU
        let weightCPU = ProcessClock.seconds()
        if let w = layer.weight {
            item.weightNorm = try ReshapedWeightNorm.value(weight: w.values, shape: w.shape, dim: w.outputAxis, budget: budget)
        }
        let circularCPU = ProcessClock.seconds()
        item.weightNormCPUSeconds = circularCPU - weightCPU
        if let c = layer.convolution, case .notApplicable = CircularConvolutionSpectrum.applicability(c.geometry) {
        } else if let c = layer.convolution {
            item.circular = try CircularConvolutionSpectrum.largestSingularValue(geometry: c.geometry, taps: c.taps, budget: budget)
        }
        item.circularCPUSeconds = ProcessClock.seconds() - circularCPU
        if let g = layer.transposedGeometry { item.overlap = try OverlapPattern(transposedConvolution: g) }
        return item
    }

    /// The `float32` copy of a layer that is one convolution (or its transpose), for the Krylov stage of the
    /// mixed-precision ``BlockLanczos`` (its certificate stays in `float64`); nil for other layers.
    static func floatCopy(_ layer: NetworkLayer) throws -> (any LinearOperator<Float>)? {
        if let c = layer.linear as? Convolution<Double> {
            return try Convolution<Float>(geometry: c.geometry, taps: c.taps.map(Float.init))
        }
        if let t = layer.linear as? TransposedConvolution<Double> {
            return try TransposedConvolution<Float>(geometry: t.geometry, taps: t.base.taps.map(Float.init))
        }
        return nil
    }

    /// Start vectors for the block Lanczos run on `layer`: for a convolution applied as one operator (strided too), the
    /// plane waves of the circular-padding spectrum's top frequencies
    /// (``CircularConvolutionSpectrum/startVectors(geometry:taps:frequencies:budget:)``); none otherwise.
    static func startVectors(_ layer: NetworkLayer, budget: MemoryBudget) throws -> [[Double]] {
        guard let c = layer.convolution, c.domain == layer.linear.domain, c.codomain == layer.linear.codomain else { return [] }
        return try CircularConvolutionSpectrum.startVectors(geometry: c.geometry, taps: c.taps, frequencies: 4, budget: budget)
    }

    /// The non-zero entries of the matrix: for a convolution (or its transpose) in closed form from the weight and
    /// the per-axis counts of valid (output, tap) pairs (``ConvolutionGeometry/nonzeroCount(taps:)``, no matrix
    /// built); otherwise those of the CSR matrix when it materialises within a modest share of the budget (the CSR
    /// pattern may hold explicit zeros, e.g. an interpolation's weight-0 edge terms; they are not counted), else a
    /// stencil's term count (an upper bound that equals it for zero-padded convolutions), else nil.
    static func nonzeros(_ op: any LinearOperator<Double>, budget: MemoryBudget) throws -> Int? {
        if let c = op as? Convolution<Double>, let n = c.geometry.nonzeroCount(taps: c.taps) { return n }
        if let t = op as? TransposedConvolution<Double>, let n = t.geometry.nonzeroCount(taps: t.base.taps) { return n }
        func count(_ m: CSRMatrix<Double>) -> Int { m.values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
        if let s = op as? any StencilOperator, s.termCount <= (1 << 24) { return count(try op.sparse(budget: budget)) }
        if let s = op as? any StencilOperator { return s.termCount }
        // Composites (padding then convolution, sums): their CSR product, within at most 1 GiB.
        return (try? op.sparse(budget: MemoryBudget(bytes: Swift.min(budget.bytes, 1 << 30)))).map(count)
    }
}
