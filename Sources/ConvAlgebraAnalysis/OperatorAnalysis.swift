import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// How ``OperatorAnalysis`` computes the spectrum.
public enum AnalysisMethod: String, CaseIterable, Sendable {
    /// Dense SVD when it fits, else the FFT method for a circular convolution (input = output × stride), else power iteration.
    case auto
    /// All singular values from the dense matrix by `?gesdd`.
    case gesdd
    /// The spectral norm only, by power iteration on `AᵀA` with the direct forms.
    case power
    /// All singular values of a convolution whose input is its output times the stride, by the FFT method (exact for circular padding,
    /// an approximation for zero padding).
    case fft
}

/// The spectral properties of one sample's linear operator: singular values, norm, conditioning, rank,
/// null space, and for convolutions the reshaped-weight norm and the aliasing reading.
///
/// ```
/// let a = try OperatorAnalysis(of: conv, method: .auto)
/// a.spectralNorm, a.conditionNumber, a.rank, a.nullity
/// ```
public struct OperatorAnalysis: Sendable {
    public let domain: Shape, codomain: Shape
    /// The method that was used (never ``AnalysisMethod/auto``).
    public let method: AnalysisMethod
    /// All singular values when computed (`gesdd`, `fft`), descending.
    public let spectrum: SingularSpectrum?
    /// The power iteration's estimate (method `power`).
    public let powerEstimate: SpectralNormEstimate?
    /// For the FFT method on a zero-padded convolution: the values are the circular operator's.
    public let isApproximation: Bool
    /// For an approximate FFT analysis whose dense SVD fitted: `max_i |σᵢ(fft) − σᵢ(gesdd)| / σ₁(gesdd)`.
    public let approximationGap: Double?
    /// `‖W reshaped‖₂` for a convolution or transposed convolution (what PyTorch's `spectral_norm` bounds).
    public var reshapedWeightNorm: Double?
    /// The aliasing reading of a strided operator.
    public let aliasing: AliasingReading?
    /// Why `auto` chose its method, in a sentence.
    public let reason: String

    /// `‖A‖₂`.
    public var spectralNorm: Double { spectrum?.spectralNorm ?? powerEstimate?.value ?? 0 }
    /// `σ₁/σ_min`, nil when singular or not computed.
    public var conditionNumber: Double? { spectrum?.conditionNumber }
    /// The numerical rank (nil when the singular values were not computed).
    public var rank: Int? { spectrum?.rank }
    /// `n − rank`, the null-space dimension of the domain (nil when not computed).
    public var nullity: Int? { spectrum?.nullity }

    /// The largest dense SVD `auto` will run, in FLOPs (`≈ 4·m·n·min(m,n)`): about a minute on two cores.
    /// A dense matrix that fits the memory budget but would take longer goes to the FFT method or power iteration.
    public static let autoDenseFlopLimit = 2e11

    /// Analyses `op` (one sample).
    /// - Parameters:
    ///   - method: `.auto` picks `gesdd` when the dense SVD fits `budget` (and ``autoDenseFlopLimit``), `fft`
    ///     for a circular convolution whose input is its output times the stride, `power` otherwise.
    ///   - power: the settings of the power iteration.
    /// - Throws: a memory-budget error when `.gesdd` is asked for an operator too large for a dense SVD;
    ///   ``ConvAlgebraError/unsupported(_:)`` when `.fft` is asked for an operator it does not apply to; LAPACK errors.
    public init<S: BLASScalar>(of op: any LinearOperator<S>, method requested: AnalysisMethod = .auto,
                               budget: MemoryBudget = .default, power: PowerIteration = PowerIteration()) throws {
        domain = op.domain
        codomain = op.codomain
        aliasing = AliasingReading.of(op)
        let (m, n) = op.matrixSize
        var fftGeometry: (ConvolutionGeometry, [S])? = nil
        var weightNorm: Double? = nil
        if let c = op as? Convolution<S> {
            fftGeometry = (c.geometry, c.taps)
            weightNorm = try c.reshapedWeightNorm(budget: budget)
        } else if let c = op as? TransposedConvolution<S> {
            fftGeometry = (c.geometry, c.taps)
            weightNorm = try c.reshapedWeightNorm(budget: budget)
        }
        reshapedWeightNorm = weightNorm
        let applicability = fftGeometry.map { CircularConvolutionSpectrum.applicability($0.0) }
        let denseBytes = Double(m) * Double(n) * Double(2 * MemoryLayout<S>.stride)
        let denseFits = denseBytes <= Double(budget.bytes)
        let denseFlops = 4 * Double(m) * Double(n) * Double(Swift.min(m, n))

        var chosen = requested
        var why = "asked for"
        if requested == .auto {
            if denseFits && denseFlops <= Self.autoDenseFlopLimit {
                chosen = .gesdd; why = "the dense \(m) × \(n) matrix fits the memory budget"
            } else if applicability == .exact {
                chosen = .fft; why = "circular convolution too large for a dense SVD"
            } else {
                chosen = .power
                why = denseFits ? "a dense SVD of \(m) × \(n) would take about \(formatShort(denseFlops)) FLOPs"
                                : "the dense \(m) × \(n) matrix does not fit the memory budget"
            }
        }
        method = chosen
        reason = why
        var approx = false, gap: Double? = nil
        switch chosen {
        case .auto, .gesdd:
            spectrum = try op.singularSpectrum(budget: budget)
            powerEstimate = nil
        case .power:
            spectrum = nil
            powerEstimate = try power.spectralNorm(of: op, budget: budget)
        case .fft:
            guard let (g, taps) = fftGeometry else {
                throw ConvAlgebraError.unsupported(
                    "the FFT method applies to convolutions whose input is the output times the stride, not to this \(m) × \(n) operator")
            }
            let values = try CircularConvolutionSpectrum.singularValues(geometry: g, taps: taps, budget: budget)
            // The Double computation has the precision of the scalar's kernel, not better.
            spectrum = SingularSpectrum(values: values, rows: m, columns: n, epsilon: Double(S.ulpOfOne))
            powerEstimate = nil
            if applicability == .approximation {
                approx = true
                // Measure the gap to the truth when the dense SVD is affordable.
                if denseFits && denseFlops <= Self.autoDenseFlopLimit {
                    let exact = try op.singularSpectrum(budget: budget).values
                    let top = Swift.max(exact.first ?? 0, .leastNormalMagnitude)
                    gap = zip(values, exact).map { abs($0 - $1) / top }.max() ?? 0
                }
            }
        }
        isApproximation = approx
        approximationGap = gap
    }
}
