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
    /// timed: a measured plan is for an operator applied many times). Each candidate is timed as it will run: a
    /// direct kernel through an apply of the operator (a copy whose plan cache holds it), a matrix through its
    /// product; all of them together (``Stopwatch/times``: the live stopwatch takes them in turn, in blocks). The
    /// winning direct kernel's plan is installed in the operator's plan cache.
    /// - Complexity: a warm-up and a few runs of every candidate, plus materialising both matrices.
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
        var candidates = [(name: String, form: Form, body: () -> Void)]()
        var denseProducts = [String: DenseBatchProduct<S>]()
        var directPlans = [String: ConvolutionPlan<S>]()
        var timed = [PlanDecision.Candidate]()
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                let (xb, yb) = (xp.baseAddress!, yp.baseAddress!)
                if forms.contains(.direct) {
                    // Each kernel timed as an apply of the operator runs it (its plan looked up in the operator's
                    // cache, through the existential): a copy of the operator with a cache of its own holds it.
                    // The bare plan measured 0.15 µs under the operator's apply at mx-fc B = 16 (a tie with the
                    // dense form's GEMM where the apply then ran 5 % slower; at B = 1 30 %).
                    let copies = directCopies(op)
                    if copies.isEmpty { candidates.append(("direct", .direct, { op.applyUnchecked(xb, yb, batch: B) })) }
                    for (name, plan, copy) in copies {
                        directPlans[name] = plan
                        candidates.append((name, .direct, { copy.applyUnchecked(xb, yb, batch: B) }))
                    }
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
                        candidates.append((name, .dense, { dense.applyUnchecked(xb, yb, batch: B) }))
                    }
                }
                if forms.contains(.sparse), let sparse = try? op.sparse(budget: budget) {
                    candidates.append(("sparse", .sparse, { sparse.applyUnchecked(xb, yb, batch: B) }))
                }
                let seconds = stopwatch.times(candidates.map { ($0.name, $0.body) })
                timed = zip(candidates, seconds).map { PlanDecision.Candidate(name: $0.name, form: $0.form, measured: $1) }
            }
        }
        guard let best = timed.min(by: { $0.measured! < $1.measured! }) else {
            return PlanDecision(form: .direct, candidate: "direct", kernel: directKernel(op), source: .fixed, candidates: [],
                                reason: "no candidate of the forms asked for could be built: direct")
        }
        // The winning direct kernel's plan, as built and timed, becomes the operator's.
        if let plan = directPlans[best.name], let cache = op.planCache { ConvolutionPlan.install(plan, in: cache) }
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

    /// `direct/<candidate>`, its plan, and a copy of the convolution (forward or transposed) whose own plan cache
    /// holds that plan, for each kernel candidate of a convolution's direct form.
    private static func directCopies<S: BLASScalar>(_ op: any LinearOperator<S>)
        -> [(String, ConvolutionPlan<S>, any LinearOperator<S>)] {
        guard let (g, taps, direction) = convolution(op) else { return [] }
        let symbols = (op as? Convolution<S>)?.tapsAreSymbols ?? (op as? TransposedConvolution<S>)?.base.tapsAreSymbols ?? false
        return ConvolutionPlanBuilder.candidates(g, direction: direction, scalarBytes: MemoryLayout<S>.stride).map { c in
            let cache = PlanCache(), plan = ConvolutionPlan<S>(g, weights: taps, direction: direction, candidate: c)
            ConvolutionPlan.install(plan, in: cache)
            let copy = Convolution<S>(unchecked: g, taps: taps, tapsAreSymbols: symbols, plans: cache)
            return ("direct/\(c)", plan, direction == .forward ? copy : copy.transposed)
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
