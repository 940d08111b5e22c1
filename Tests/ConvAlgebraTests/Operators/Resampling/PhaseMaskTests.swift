import ConvAlgebra
import Testing
import _TestSupport

/// `↑k ↓k`: a diagonal 0/1 matrix, its own transpose, equal to the product it stands for.
@Suite struct PhaseMaskTests {
    @Test func isTheProductOfDownAndUpSampling() throws {
        for d in [try Downsample<Double>(factor: 3, phase: 2, inputLength: 10),
                  try Downsample<Double>(factors: [1, 2, 3], phases: [0, 1, 0], inputSize: [2, 5, 6])] {
            let mask = PhaseMask(sampling: d)
            expectMatricesEqual(try mask.dense(), try Composed<Double>([d, d.transposed], rewriting: false).dense())
            try expectFormsAgree(mask)
            _ = try expectDotTest(mask)
        }
    }
}
