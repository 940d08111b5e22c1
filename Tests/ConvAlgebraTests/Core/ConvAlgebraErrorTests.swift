import ConvAlgebra
import Testing
import _TestSupport

@Suite struct ConvAlgebraErrorTests {
    static let examples: [ConvAlgebraError] = [
        .invalidArgument("the stride must be at least 1, got 0"),
        .shapeMismatch("input of shape (3) does not end in (4)"),
        .overflow("the size overflows"),
        .exceedsMemoryBudget(what: "a dense 10 × 10 matrix", bytes: 800, budget: 100),
        .malformedNPY("truncated header"),
        .io("no such file x.npy"),
        .malformedFile("a Matrix Market entry outside the matrix"),
        .unsupported("a quadratic form"),
        .malformedFile("a.npz: not a ZIP archive"),
    ]

    @Test(arguments: examples)
    func descriptionsAreOneLine(error: ConvAlgebraError) {
        #expect(!error.description.isEmpty && !error.description.contains("\n"))
        #expect(ConvAlgebraErrorCase.allCases.contains(ConvAlgebraErrorCase(error)))
    }

    @Test func descriptionsNameTheSizes() {
        let e = ConvAlgebraError.exceedsMemoryBudget(what: "a dense 10 × 10 matrix", bytes: 800, budget: 100)
        #expect(e.description.contains("a dense 10 × 10 matrix") && e.description.contains("800") && e.description.contains("100"))
        // Only a caller that knows the alternatives may name a form (`LinearOperator.apply` does, with the forms that fit):
        // this error alone used to advise "use the direct or sparse form" whatever had been refused.
        #expect(!e.description.contains("form"), "\(e)")
        #expect(ConvAlgebraError.malformedNPY("bad magic").description.contains("bad magic"))
        #expect(Set(Self.examples.map { ConvAlgebraErrorCase($0) }).count == ConvAlgebraErrorCase.allCases.count)
    }
}
