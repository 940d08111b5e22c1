import ConvAlgebra

/// The limits `show` checks before it builds anything: the matrix it prints has at most `--max-size` rows and
/// columns, so neither `--max-size` itself nor a symbolic kernel longer than the `--max-size`² entries it could
/// print may reach the builders (`--kernel-size 2147483647` used to allocate a 17 GB kernel first).
enum ShowLimits {
    /// The largest `--max-size`: a 4096 × 4096 matrix of text is already more than anyone reads.
    static let largestMaxSize = 4096

    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for `--max-size` outside `1 … 4096`, and for a
    ///   `--kernel-size` entry of more than `--max-size`² taps.
    static func check(maxSize: Int, kernelSize: String?) throws {
        guard maxSize >= 1, maxSize <= largestMaxSize else {
            throw ConvAlgebraError.invalidArgument("--max-size must be between 1 and \(largestMaxSize), got \(maxSize)")
        }
        guard let kernelSize, let sizes = try? CommaList.ints(kernelSize, option: "--kernel-size") else { return }
        let entries = maxSize * maxSize
        if let k = sizes.first(where: { $0 > entries }) {
            throw ConvAlgebraError.invalidArgument(
                "--kernel-size \(k) is larger than a matrix of --max-size \(maxSize) can show (\(maxSize)×\(maxSize) entries)")
        }
    }
}
