@testable import ConvAlgebra
import Testing

/// Every candidate a measuring planner may pick builds the kernel it names and agrees with the reference loops;
/// a kernel that cannot run a shape is refused, not run.
@Suite struct ConvolutionPlanBuilderCandidatesTests {
    static let geometries: [ConvolutionGeometry] = (try? [
        Im2colGEMMKernelsTests.tapped([20, 20], [20, 20], [3, 3], offset: [-1, -1], cin: 8, cout: 16),
        Im2colGEMMKernelsTests.tapped([40, 40], [20, 20], [3, 3], stride: [2, 2], offset: [-1, -1], cin: 16, cout: 16),
        Im2colGEMMKernelsTests.tapped([16, 16], [16, 16], [1, 1], offset: [0, 0], cin: 8, cout: 16),   // pointwise
        Im2colGEMMKernelsTests.tapped([6, 6], [1, 1], [6, 6], offset: [0, 0], cin: 4, cout: 8),      // fully connected
    ]) ?? []

    @Test(arguments: [ConvolutionDirection.forward, .transpose])
    func everyCandidateAgreesWithReference(direction: ConvolutionDirection) {
        #expect(Self.geometries.count == 4)
        for g in Self.geometries {
            let list = ConvolutionPlanBuilder.candidates(g, direction, float: true)
            #expect(!list.isEmpty, "\(g)")
            #expect(Set(list).count == list.count, "no candidate twice")
            if direction == .forward, IndirectRowKernels.applies(g, isa: .current), MicroGEMM.isAccelerated {
                #expect(list.contains { if case .indirectRows = $0 { return true } else { return false } })
            }
            let batch = 2
            var rng = ConvolutionKernelsTests.Generator(seed: UInt64(g.weightCount))
            let w = (0..<g.weightCount).map { _ in Float.random(in: -1...1, using: &rng) }
            let inCount = batch * (direction == .forward ? g.domain.count : g.codomain.count)
            let outCount = batch * (direction == .forward ? g.codomain.count : g.domain.count)
            let x = (0..<inCount).map { _ in Float.random(in: -1...1, using: &rng) }
            var ref = [Float](repeating: .nan, count: outCount)
            if direction == .forward { StencilKernels.referenceForward(g, w, x, &ref, batch: batch) }
            else { StencilKernels.referenceTranspose(g, w, x, &ref, batch: batch) }
            let tol: Float = 1e-4 * Float(g.inChannelsPerGroup * g.kernelPlane)
            for kernel in list {
                guard let plan = ConvolutionPlan(g, weights: w, direction: direction, kernel: kernel) else {
                    Issue.record("candidate \(kernel) refused on \(g) \(direction)"); continue
                }
                #expect(plan.kernel == kernel)
                var y = [Float](repeating: .nan, count: outCount)
                plan.run(x, &y, batch: batch)
                #expect(zip(y, ref).allSatisfy { abs($0 - $1) <= tol }, "\(kernel) on \(g) \(direction)")
            }
        }
    }

    @Test func kernelsThatCannotRunAreRefused() throws {
        let conv = Self.geometries[0], pointwise = Self.geometries[2]
        let w = [Float](repeating: 1, count: conv.weightCount)
        let rows = RowKernelBlocking(isa: .current, caches: MachineProfile.current.caches, channels: 16, depth: 72)
        #expect(ConvolutionPlan(conv, weights: w, direction: .transpose, kernel: .indirectRows(rows)) == nil)
        #expect(ConvolutionPlan(conv, weights: w, direction: .forward, kernel: .pointwiseGEMM(.openBLAS)) == nil)
        #expect(ConvolutionPlan(conv, weights: w, direction: .forward, kernel: .fullyConnectedGEMM) == nil)
        #expect(ConvolutionPlan(conv, weights: w, direction: .forward, kernel: .rowStencil3Taps(stride: 1)) == nil)
        let wp = [Double](repeating: 1, count: pointwise.weightCount)
        #expect(ConvolutionPlan(pointwise, weights: wp, direction: .forward, kernel: .pointwiseGEMM(.microKernel6x16)) == nil)
        #expect(ConvolutionPlan(pointwise, weights: wp, direction: .forward, kernel: .pointwiseGEMM(.openBLAS)) != nil)
        #expect(ConvolutionPlan(pointwise, weights: wp, direction: .forward, kernel: .indirectRows(rows)) == nil)
    }
}
