import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import ConvAlgebraPlanning
import ConvAlgebraIO

/// One case of a benchmark: an operator applied to a whole batch, in one or more forms.
///
/// The operator is built lazily (``build``) so listing a suite allocates nothing; the input's shape
/// includes the batch. FLOPs are the case's useful work: for convolutions the conventional
/// `2 · N · C_out · Π L · C_in/G · Π K` (padding taps included, as every framework reports it), for the
/// matrix study `2 · B · nnz`, for pooling one operation per window tap, for up-sampling one per output.
public struct BenchmarkCase: Sendable {
    /// The suite id (`c2d-s2`, `mx-1d`), or nil for a single-op run.
    public let id: String?
    /// The suite letter (`A`, `B`, `C`), or `single`.
    public let suite: String
    /// The CLI op name (`conv`, `conv-transpose`, `convolve`, `max-pool`, `avg-pool`, `upsample`).
    public let op: String
    /// The shape of the whole input, batch first.
    public let inputShape: [Int]
    /// Useful floating-point operations of one application to the whole batch.
    public let flops: Double
    /// The forms this case runs in (suites A and B: direct only).
    public let forms: [Form]
    /// Builds the operator.
    public let build: @Sendable () throws -> BenchmarkOperator<Float>

    public init(id: String?, suite: String, op: String, inputShape: [Int], flops: Double, forms: [Form],
                build: @escaping @Sendable () throws -> BenchmarkOperator<Float>) {
        self.id = id; self.suite = suite; self.op = op; self.inputShape = inputShape
        self.flops = flops; self.forms = forms; self.build = build
    }
}

/// A form a benchmark runs: ``Form`` itself, whose `auto` the runner resolves with ``FormChooser``.
/// The old name, kept as an alias so that code written against it still compiles; new code says `Form`.
public typealias BenchmarkForm = Form

/// What a benchmark applies: a linear operator, or max pooling (non-linear; direct form only, its
/// dense/sparse forms are per-sample Jacobians).
public enum BenchmarkOperator<Scalar: BLASScalar>: Sendable {
    case linear(any LinearOperator<Scalar>)
    case maxPool(MaxPooling<Scalar>)

    public var domain: Shape {
        switch self {
        case .linear(let a): return a.domain
        case .maxPool(let p): return p.domain
        }
    }

    public var codomain: Shape {
        switch self {
        case .linear(let a): return a.codomain
        case .maxPool(let p): return p.codomain
        }
    }
}

/// The timing of one case in one form.
public struct BenchmarkResult: Sendable {
    public let id: String?
    public let suite: String
    public let op: String
    public let form: Form
    public let inputShape: [Int]
    public let dtype: String
    /// Wall-clock seconds of one application to the whole batch: min, median, max over the repeats.
    public let min: Double, median: Double, max: Double
    public let repeats: Int
    /// Seconds to materialise the matrix (dense, sparse, auto when it materialises), nil for direct.
    public let materialiseSeconds: Double?
    /// Stored entries of the materialised matrix (sparse, or dense `m·n`).
    public let storedEntries: Int?
    public let flops: Double
    /// For `auto`: the form chosen and why; for `direct`: the kernel used.
    public let note: String?
    /// For a transposed convolution in the direct form: the median seconds of the convolution it is the
    /// transpose of, on the same batch (the same FLOPs), measured in the same run.
    public var forwardConvolutionSeconds: Double? = nil
    /// The least process CPU time (all threads) of one timed application: on a loaded machine, the work itself.
    public var cpuMin: Double? = nil

    public init(id: String?, suite: String, op: String, form: Form, inputShape: [Int], dtype: String,
                min: Double, median: Double, max: Double, repeats: Int, materialiseSeconds: Double?,
                storedEntries: Int?, flops: Double, note: String?) {
        self.id = id; self.suite = suite; self.op = op; self.form = form; self.inputShape = inputShape
        self.dtype = dtype; self.min = min; self.median = median; self.max = max; self.repeats = repeats
        self.materialiseSeconds = materialiseSeconds; self.storedEntries = storedEntries; self.flops = flops
        self.note = note
    }

    public var gflops: Double { median > 0 ? flops / median / 1e9 : 0 }
}
