import ArgumentParser

/// Every op option of the CLI contract, declared once and shared by `apply`, `show`, `bench` and `analyze`
/// through `@OptionGroup`, in four groups by what reads them.
///
/// All are optional here: an op reads the ones it needs (``OpDefinition/acceptedOptions``) and the
/// framework rejects any other that was given (``givenOptions``), so `--groups 2` on `convolve` is an
/// error, not silently ignored. Lists stay strings until an op parses them with ``CommaList``: whether
/// `--stride 2` means one dimension or all of them is the op's decision.
///
/// Numeric options parse their value unconditionally, so `--factor -2` reaches the op's own check
/// ("must be at least 1, got -2") instead of being taken for an option name.
struct OperatorOptions: ParsableArguments {
    @OptionGroup var window: WindowOptions
    @OptionGroup var layer: LayerOptions
    @OptionGroup var resampling: ResamplingOptions
    @OptionGroup var arrays: ArrayOptions

    /// `--weight`, read by every subcommand that loads arrays.
    var weight: String? { arrays.weight }
    /// `--bias`.
    var bias: String? { arrays.bias }
    /// `--kernel-size`, which `bench` also reads for its FLOP count.
    var kernelSize: String? { window.kernelSize }

    /// The spellings of the options given on the command line, in declaration order.
    ///
    /// Read off the declarations (see ``GivenOptions``), so an option added to a group is checked without
    /// a second list of names to keep in step.
    var givenOptions: [String] { GivenOptions.spellings(in: self) }
}

/// The sliding-window options of the convolution and pooling layers, one int or one per spatial dimension.
struct WindowOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Kernel size (pools); for show convolve, the length K of a symbolic kernel q0 … q(K-1).") var kernelSize: String?
    @Option(parsing: .unconditional, help: "Stride: one int or a comma list, one per spatial dimension.") var stride: String?
    @Option(parsing: .unconditional, help: "Padding: an int, a comma list (one per dimension, or 2·d: all begins then all ends), or 'same' / 'valid'.") var padding: String?
    @Option(parsing: .unconditional, help: "Dilation: one int or a comma list.") var dilation: String?
    @Flag(help: "Pools: ceil instead of floor for the output size.") var ceilMode = false
    @Flag(inversion: .prefixedNo, help: "avg-pool: count the zero padding in the average (default: yes, as PyTorch).") var countIncludePad: Bool?
}

/// The options only the convolution layers read.
struct LayerOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Channel groups (conv, conv-transpose).") var groups: Int?
    @Option(help: "conv padding mode: zeros, circular, reflect or replicate (default zeros).") var paddingMode: String?
    @Option(parsing: .unconditional, help: "conv-transpose output padding: one int or a comma list.") var outputPadding: String?
}

/// The resampling factors (↓k, ↑k, interpolation) and the modes.
struct ResamplingOptions: ParsableArguments {
    @Option(help: "convolve: full, same, valid or circular (default full); upsample: nearest, linear, bilinear or trilinear.") var mode: String?
    @Option(parsing: .unconditional, help: "downsample / upsample-zeros: the factor k.") var factor: Int?
    @Option(parsing: .unconditional, help: "downsample: the phase p, keeping samples p, p+k, … (default 0).") var phase: Int?
    @Option(name: [.customLong("scale"), .customLong("scale-factor")], parsing: .unconditional,
            help: "upsample: the integer scale factor k, one or one per spatial dimension (PyTorch's scale_factor).") var scale: String?
    @Option(parsing: .unconditional, help: "upsample: the spatial output size instead of a scale (PyTorch's size), one or one per spatial dimension.") var size: String?
}

/// The arrays an op may read besides its input.
struct ArrayOptions: ParsableArguments {
    @Option(help: "The weight (kernel) as a .npy file.") var weight: String?
    @Option(help: "The bias as a .npy file.") var bias: String?
}
