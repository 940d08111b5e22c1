import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import Foundation

/// What a strided operator does to frequencies: the null space of `↓s` read as aliasing.
///
/// `↓s` keeps one sample in `s`, so its output's Nyquist frequency is `1/(2s)` cycles per input sample and
/// each output frequency `f` is the sum of the `s` input frequencies `f, f + 1/s, …, f + (s−1)/s`
/// (they "fold together"). The inputs those folds cancel form the null space: a stride-`s` operator on
/// `n` inputs with `⌈n/s⌉` outputs per channel has nullity at least `n − C_out·⌈n/s⌉`. Its transpose `↑s`
/// does the reverse (imaging): each input frequency appears `s` times in the output spectrum, and nothing
/// is lost (nullity 0) when the forward operator has full row rank.
public struct AliasingReading: Sendable, Equatable {
    /// Down-sampling (strided convolution, `↓s`) or up-sampling (transposed convolution, `↑s`).
    public enum Direction: String, Sendable { case downsampling, upsampling }

    public let direction: Direction
    /// The stride per spatial dimension.
    public let stride: [Int]

    /// The number of frequencies that fold onto one: `∏ s` (saturating at `Int.max`: strides may reach 2⁶²).
    public var foldCount: Int { stride.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? .max : $0 * $1 } }

    /// The Nyquist frequency of the low-rate side, in cycles per sample of the high-rate side: `1/(2s)` per dimension.
    public var nyquist: [Double] { stride.map { 1 / (2 * Double($0)) } }

    /// The reading for an operator whose stride is known, or nil when it has no stride above 1.
    public init?(direction: Direction, stride: [Int]) {
        guard stride.contains(where: { $0 > 1 }) else { return nil }
        self.direction = direction
        self.stride = stride
    }

    /// The reading for a ``Convolution``, ``TransposedConvolution``, ``Downsample`` or ``Upsample``; nil otherwise
    /// or when the stride is 1.
    public static func of<S: BLASScalar>(_ op: any LinearOperator<S>) -> AliasingReading? {
        if let c = op as? Convolution<S> { return AliasingReading(direction: .downsampling, stride: c.geometry.stride) }
        if let c = op as? TransposedConvolution<S> { return AliasingReading(direction: .upsampling, stride: c.geometry.stride) }
        if let d = op as? Downsample<S> { return AliasingReading(direction: .downsampling, stride: d.factors) }
        if let u = op as? Upsample<S> { return AliasingReading(direction: .upsampling, stride: u.factors) }
        return nil
    }

    /// A sentence or two; `nullity` (when known) is the measured null-space dimension.
    public func summary(nullity: Int?) -> String {
        let s = stride.map(String.init).joined(separator: "×")
        let ny = nyquist.map { formatShort($0) }.joined(separator: ", ")
        switch direction {
        case .downsampling:
            var text = "stride \(s): \(foldCount) input frequencies fold onto each output frequency (f, f + 1/s, …); "
                + "content above the output Nyquist \(ny) cycles/sample aliases"
            if let k = nullity { text += "; null space of dimension \(k): inputs this operator cannot see" }
            return text
        case .upsampling:
            var text = "stride \(s): the input spectrum is repeated \(foldCount) times (imaging) above its Nyquist "
                + "\(ny) cycles per output sample; the transpose of this operator aliases"
            if let k = nullity { text += "; null space of dimension \(k)" }
            return text
        }
    }
}

/// A number in a short, stable form for reports: 6 significant digits (`%.6g`).
package func formatShort(_ x: Double) -> String {
    String(format: "%.6g", x)
}
