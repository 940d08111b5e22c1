import ArgumentParser
import ConvAlgebra
import ConvAlgebraONNX

#if canImport(Glibc)
import Glibc
#endif

/// `convalgebra model analyze MODEL.onnx [--input-shape SHAPE] [--smallest] [--json FILE] [--skip] [--export-dir DIR]`:
/// whole networks.
struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Whole networks: read an ONNX model and analyse every linear layer's exact operator.",
        subcommands: [ModelAnalyze.self])
}

/// Reads the model (``ONNXModel``), walks its graph onto the operators (``Network``), analyses every linear layer
/// (``NetworkAnalysis``) and prints ``NetworkReport``'s table; progress on stderr, one line per layer.
struct ModelAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Per linear layer: shapes, nnz, the exact σ₁, the reshaped-weight norm and their ratio; the Lipschitz bound.",
        discussion: """
            Layers: Conv, ConvTranspose, AveragePool, GlobalAveragePool, Pad, Resize/Upsample (nearest, linear), \
            Gemm/MatMul, BatchNormalization (folded into the layer before it), Add (a residual I + F is one exact \
            operator when both branches are linear maps of one tensor). Noted with their Lipschitz constants: Relu, \
            LeakyRelu, Sigmoid, Tanh, Clip, Elu, Softplus, MaxPool (√ of the most windows an input lies in; with --at x.npy \
            instead the layer of its Jacobian at that input). \
            Layout only: Flatten, Reshape, Squeeze, Unsqueeze. Shape computations on constants are folded.
            """)

    @Argument(help: "The ONNX model file.")
    var model: String

    @Option(name: .customLong("input-shape"), parsing: .unconditional,
            help: "One input sample's shape without the batch, comma separated (e.g. 3,224,224); default: the model's.")
    var inputShape: String?

    @Option(help: ArgumentHelp("An input sample (.npy, float32 or float64, the input shape with or without the batch of 1): "
                               + "each MaxPool becomes the layer of its Jacobian at the value the network feeds it from this input.",
                               valueName: "x.npy"))
    var at: String?

    @Flag(help: "Also the smallest singular value and the condition number (dense SVD, where it fits).")
    var smallest = false

    @Flag(help: "Skip unsupported ops (assumed shape-preserving; the Lipschitz bound becomes unknown) instead of failing.")
    var skip = false

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(name: .customLong("export-dir"), help: "Write each layer's matrix (one sample, float64 CSR) to this directory as SciPy .npz.")
    var exportDir: String?

    @Option(parsing: .unconditional, help: "Block Lanczos: stop when the certified relative bound on σ₁ reaches this.")
    var tolerance = 1e-9

    @Option(parsing: .unconditional, help: "Block Lanczos: the most block steps.")
    var maxIterations = 2000

    @Option(name: .customLong("block-size"), parsing: .unconditional, help: "Block Lanczos: vectors per block (per batched apply).")
    var blockSize = NetworkAnalysis.blockSize

    @Option(name: .customLong("max-basis"), parsing: .unconditional,
            help: "Block Lanczos: the most basis vectors before a thick restart (at least two blocks).")
    var maxBasis = NetworkAnalysis.maxBasis

    @Flag(name: .customLong("float64-applies"),
          help: "Block Lanczos: every apply in float64 (default: a convolution's Krylov iteration in float32, certified in float64).")
    var float64Applies = false

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    @Option(name: .customLong("memory-budget"), parsing: .unconditional, help: ArgumentHelp(MemoryBudgetOption.help, valueName: "bytes"))
    var memoryBudget: String?

    func run() throws {
        try MemoryBudgetOption.apply(memoryBudget)
        guard tolerance > 0, tolerance < 1, tolerance.isFinite else {
            throw ConvAlgebraError.invalidArgument("--tolerance must lie in (0, 1), got \(tolerance)")
        }
        guard maxIterations >= 1 else {
            throw ConvAlgebraError.invalidArgument("--max-iterations must be at least 1, got \(maxIterations)")
        }
        guard blockSize >= 1, blockSize <= 4096, maxBasis >= 2 * blockSize, maxBasis <= 1 << 16 else {
            throw ConvAlgebraError.invalidArgument(
                "--block-size must lie in 1...4096 and --max-basis in 2·block-size...65536, got \(blockSize) and \(maxBasis)")
        }
        let shape = try inputShape.map { try CommaList.shape($0, option: "--input-shape").dims }
        let onnx = try ONNXModel(contentsOf: model)
        let input = try at.map { path -> [Double] in
            switch try NPY.read(path: path) {
            case .float32(let t): return t.scalars.map(Double.init)
            case .float64(let t): return t.scalars
            }
        }
        let network = try Network(model: onnx, inputShape: shape, at: input, skipUnsupported: skip)
        let files = try exportDir.map { try network.exportMatrices(to: $0) }
        let quiet = self.quiet
        let analysis = try NetworkAnalysis(network: network, smallest: smallest, tolerance: tolerance,
                                           maxIterations: maxIterations, blockSize: blockSize, maxBasis: maxBasis,
                                           mixedPrecision: !float64Applies) { line in
            if !quiet { FileHandleText.standardError(line + "\n") }
        }
        if let json {
            let bytes = Array(NetworkReport.json(analysis, model: model, matrixFiles: files).utf8)
            try bytes.withUnsafeBytes { try AtomicFile.write([$0], to: json) }
        }
        print(NetworkReport.text(analysis, model: model))
    }
}

/// Text on stderr, unbuffered.
enum FileHandleText {
    static func standardError(_ s: String) {
        let bytes = Array(s.utf8)
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}
