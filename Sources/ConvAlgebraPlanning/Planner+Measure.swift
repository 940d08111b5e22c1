import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// FFTW's `measure`: every candidate run on the real shape, the fastest kept.
extension Planner {
    /// Times the candidates of applying `op` to `batch` samples with `stopwatch` (labels: the candidates'
    /// names) and decides for the fastest among `forms`: the direct form with each kernel
    /// `ConvolutionPlanBuilder.candidates(_:direction:scalarBytes:)` lists for a convolution (else the operator's own
    /// direct form), and the dense and sparse forms when their matrices fit `budget` (materialisation is not
    /// timed: a measured plan is for an operator applied many times). The winning direct kernel is installed in
    /// the operator's plan cache.
    /// - Complexity: one warm-up and a few runs of every candidate, plus materialising both matrices.
    public static func measure<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, stopwatch: Stopwatch,
                                              forms: Set<Form> = Set(Form.concrete),
                                              budget: MemoryBudget = .default) -> PlanDecision {
        let B = max(batch, 1)
        let (m, n) = op.matrixSize
        let s = MemoryLayout<S>.stride
        guard let inCount = try? Checked.multiply(B, n, "the input"), let outCount = try? Checked.multiply(B, m, "the output"),
              (try? budget.check("the planner's input and output", count: inCount + outCount, elementBytes: s)) != nil else {
            return PlanDecision(form: .direct, candidate: "direct", kernel: directKernel(op), source: .fixed, candidates: [],
                                reason: "the batch does not fit the memory budget to be measured: direct")
        }
        var generator = SplitMix64(seed: 0x5EED)
        let x: [S] = generator.uniform(inCount)
        var y = [S](repeating: 0, count: outCount)
        var timed = [PlanDecision.Candidate]()
        var denseProducts = [String: DenseBatchProduct<S>]()
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                let (xb, yb) = (xp.baseAddress!, yp.baseAddress!)
                func time(_ name: String, _ form: Form, _ body: () -> Void) {
                    timed.append(PlanDecision.Candidate(name: name, form: form, measured: stopwatch.time(name, body)))
                }
                let kernels = directCandidates(op)
                if forms.contains(.direct) {
                    if kernels.isEmpty { time("direct", .direct) { op.applyUnchecked(xb, yb, batch: B) } }
                    for (name, run) in kernels { time(name, .direct) { run(xb, yb, B) } }
                }
                if forms.contains(.dense), let a = try? op.dense(budget: budget) {
                    // The preferred GEMM as "dense"; where that is our panel GEMM, OpenBLAS's beside it.
                    // A kernel that fell back to one already timed (panels that would be mostly padding) is not
                    // timed twice.
                    for kernel in denseKernels(S.self) {
                        guard let dense = try? DenseBatchProduct(a, budget: budget, kernel: kernel),
                              !denseProducts.values.contains(where: { $0.kernel == dense.kernel }) else { continue }
                        let name = denseCandidate(kernel)
                        denseProducts[name] = dense
                        time(name, .dense) { dense.applyUnchecked(xb, yb, batch: B) }
                    }
                }
                if forms.contains(.sparse), let sparse = try? op.sparse(budget: budget) {
                    time("sparse", .sparse) { sparse.applyUnchecked(xb, yb, batch: B) }
                }
            }
        }
        guard let best = timed.min(by: { $0.measured! < $1.measured! }) else {
            return PlanDecision(form: .direct, candidate: "direct", kernel: directKernel(op), source: .fixed, candidates: [],
                                reason: "no candidate of the forms asked for could be built: direct")
        }
        if best.name.hasPrefix("direct/") { install(best.name, in: op) }
        // The winning dense GEMM other than the preferred one: the product just timed becomes the operator's.
        if best.name.hasPrefix("dense/"), let dense = denseProducts[best.name] { op.installMaterialised(.dense, dense) }
        return PlanDecision(form: best.form, candidate: best.name, kernel: best.form == .direct ? directKernel(op) : nil,
                            source: .measure, candidates: timed, reason: "measured, B=\(B): " + timings(timed))
    }

    /// The dense form's GEMMs to time for `S`: the preferred one, and OpenBLAS's too where the preferred is ours.
    package static func denseKernels<S: BLASScalar>(_: S.Type) -> [DenseBatchProduct<S>.Kernel] {
        DenseBatchProduct<S>.Kernel.preferred == .panels ? [.panels, .blas] : [.preferred]
    }

    /// A dense kernel's candidate name: `dense` for the preferred GEMM, `dense/<kernel>` for another.
    package static func denseCandidate<S: BLASScalar>(_ kernel: DenseBatchProduct<S>.Kernel) -> String {
        kernel == .preferred ? "dense" : "dense/\(kernel.rawValue)"
    }

    /// The dense kernel of a candidate name (`dense`: the preferred one), nil for a name this version does not know.
    package static func denseKernel<S: BLASScalar>(ofCandidate name: String, _: S.Type) -> DenseBatchProduct<S>.Kernel? {
        if name == "dense" { return .preferred }
        guard name.hasPrefix("dense/") else { return nil }
        return DenseBatchProduct<S>.Kernel(rawValue: String(name.dropFirst("dense/".count)))
    }

    /// Materialises the dense form with the kernel of `candidate` (`dense/<kernel>`) and installs it in `op`'s plan
    /// cache, so that `apply(form: .dense)` runs that GEMM.
    package static func installDense<S: BLASScalar>(_ candidate: String, in op: any LinearOperator<S>,
                                                    budget: MemoryBudget = .default) {
        guard op.planCache != nil, let kernel = denseKernel(ofCandidate: candidate, S.self), kernel.isAvailable,
              let dense = try? DenseBatchProduct(op.dense(budget: budget), budget: budget, kernel: kernel) else { return }
        op.installMaterialised(.dense, dense)
    }

    /// `direct/<candidate>` and a run of its plan, for each kernel candidate of a convolution's direct form.
    private static func directCandidates<S: BLASScalar>(_ op: any LinearOperator<S>)
        -> [(String, (UnsafePointer<S>, UnsafeMutablePointer<S>, Int) -> Void)] {
        guard let (g, taps, direction) = convolution(op) else { return [] }
        return ConvolutionPlanBuilder.candidates(g, direction: direction, scalarBytes: MemoryLayout<S>.stride).map { c in
            let plan = ConvolutionPlan<S>(g, weights: taps, direction: direction, candidate: c)
            return ("direct/\(c)", { plan.run($0, $1, batch: $2) })
        }
    }

    /// Builds the plan of `candidate` (`direct/<candidate>`) and installs it in `op`'s plan cache.
    package static func install<S: BLASScalar>(_ candidate: String, in op: any LinearOperator<S>) {
        guard let (g, taps, direction) = convolution(op), let cache = op.planCache,
              let c = ConvolutionPlanBuilder.Candidate(String(candidate.dropFirst("direct/".count))),
              ConvolutionPlanBuilder.candidates(g, direction: direction, scalarBytes: MemoryLayout<S>.stride).contains(c)
        else { return }
        if let current = (op as? Convolution<S>)?.directPlan ?? (op as? TransposedConvolution<S>)?.directPlan,
           current.candidate == c { return }
        ConvolutionPlan.install(ConvolutionPlan<S>(g, weights: taps, direction: direction, candidate: c), in: cache)
    }

    private static func convolution<S: BLASScalar>(_ op: any LinearOperator<S>)
        -> (ConvolutionGeometry, [S], ConvolutionDirection)? {
        if let c = op as? Convolution<S> { return (c.geometry, c.taps, .forward) }
        if let t = op as? TransposedConvolution<S> { return (t.geometry, t.base.taps, .transpose) }
        return nil
    }
}
