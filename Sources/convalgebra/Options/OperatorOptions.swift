import ArgumentParser

/// Every op option of the CLI contract, declared once and shared by `apply`, `show` (and later `bench`,
/// `analyze`) through `@OptionGroup`.
///
/// All are optional here: an op reads the ones it needs (``OpDefinition/acceptedOptions``) and the
/// framework rejects any other that was given (``givenOptions``), so `--groups 2` on `convolve` is an
/// error, not silently ignored. Lists stay strings until an op parses them with ``CommaList``: whether
/// `--stride 2` means one dimension or all of them is the op's decision.
///
/// Numeric options parse their value unconditionally, so `--factor -2` reaches the op's own check
/// ("must be at least 1, got -2") instead of being taken for an option name.
struct OperatorOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Stride: one int or a comma list, one per spatial dimension.")
    var stride: String?

    @Option(parsing: .unconditional, help: "Padding: an int, a comma list (one per dimension, or 2·d: all begins then all ends), or 'same' / 'valid'.")
    var padding: String?

    @Option(parsing: .unconditional, help: "Dilation: one int or a comma list.")
    var dilation: String?

    @Option(parsing: .unconditional, help: "Channel groups (conv, conv-transpose).")
    var groups: Int?

    @Option(help: "conv padding mode: zeros, circular, reflect or replicate (default zeros).")
    var paddingMode: String?

    @Option(parsing: .unconditional, help: "conv-transpose output padding: one int or a comma list.")
    var outputPadding: String?

    @Option(parsing: .unconditional, help: "Kernel size (pools); for show convolve, the length K of a symbolic kernel q0 … q(K-1).")
    var kernelSize: String?

    @Flag(help: "Pools: ceil instead of floor for the output size.")
    var ceilMode = false

    @Flag(inversion: .prefixedNo, help: "avg-pool: count the zero padding in the average (default: yes, as PyTorch).")
    var countIncludePad: Bool?

    @Option(parsing: .unconditional, help: "upsample: the scale factor k.")
    var scale: String?

    @Option(help: "convolve: full, same, valid or circular (default full); upsample: nearest or linear.")
    var mode: String?

    @Option(parsing: .unconditional, help: "downsample / upsample-zeros: the factor k.")
    var factor: Int?

    @Option(parsing: .unconditional, help: "downsample: the phase p, keeping samples p, p+k, … (default 0).")
    var phase: Int?

    @Option(help: "The weight (kernel) as a .npy file.")
    var weight: String?

    @Option(help: "The bias as a .npy file.")
    var bias: String?

    /// The spellings of the options given on the command line, in declaration order.
    ///
    /// The one list to extend when an option is added above.
    var givenOptions: [String] {
        let all: [(String, Bool)] = [
            ("--stride", stride != nil), ("--padding", padding != nil), ("--dilation", dilation != nil),
            ("--groups", groups != nil), ("--padding-mode", paddingMode != nil),
            ("--output-padding", outputPadding != nil), ("--kernel-size", kernelSize != nil),
            ("--ceil-mode", ceilMode), ("--count-include-pad", countIncludePad != nil), ("--scale", scale != nil),
            ("--mode", mode != nil), ("--factor", factor != nil), ("--phase", phase != nil),
            ("--weight", weight != nil), ("--bias", bias != nil),
        ]
        return all.filter(\.1).map(\.0)
    }
}
