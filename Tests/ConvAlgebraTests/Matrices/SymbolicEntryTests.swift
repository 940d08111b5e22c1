import ConvAlgebra
import Testing
import _TestSupport

@Suite struct SymbolicEntryTests {
    private let q0 = SymbolicEntry(tap: 0), q1 = SymbolicEntry(tap: 1), q2 = SymbolicEntry(tap: 2)

    @Test func sumsAreLinearFormsInTheTaps() {
        let s = q1 + q0
        #expect(s == q0 + q1)
        #expect(s.terms.map(\.tap) == [0, 1] && s.terms.allSatisfy { $0.coefficient == 1 })
        #expect(q0 + q0 == SymbolicEntry(tap: 0, coefficient: 2))
        #expect(q0 + SymbolicEntry(tap: 0, coefficient: -1) == .zero)
        #expect((q0 + q1 + q2).terms.count == 3)
        #expect(SymbolicEntry(tap: 3, coefficient: 0).isZero)
        #expect(SymbolicEntry(constant: 1).isConstant && !q0.isConstant && !(q0 + SymbolicEntry(constant: 1)).isConstant)
        #expect(Set([q0 + q1, q1 + q0, q2]).count == 2)
    }

    @Test func scalingAndProducts() throws {
        #expect((q0 + q1).scaled(by: 3) == SymbolicEntry(tap: 0, coefficient: 3) + SymbolicEntry(tap: 1, coefficient: 3))
        #expect(q2.scaled(by: 0) == .zero)
        #expect(try SymbolicEntry.product(SymbolicEntry(constant: 2), q1) == SymbolicEntry(tap: 1, coefficient: 2))
        #expect(try SymbolicEntry.product(q1 + q2, SymbolicEntry(constant: -1)) == (q1 + q2).scaled(by: -1))
        expectThrows(.unsupported, "q0·q1") { try SymbolicEntry.product(q0, q1) }
    }

    @Test func valueSubstitutesTheTaps() {
        let e = SymbolicEntry(tap: 0, coefficient: 2) + q2 + SymbolicEntry(constant: 0.5)
        let expected: Double = 2 * 3 - 1 + 0.5
        #expect(e.value(taps: [3.0, 100, -1]) == expected)
        #expect(e.value(taps: [Float(1), 0, 1]) == 3.5)
        #expect(SymbolicEntry.zero.value(taps: [Double]()) == 0)
    }

    /// The reference text prints taps as q0, sums as q0+q1, zeros as 0.
    @Test func printsInTheReferenceNotation() {
        #expect(SymbolicEntry.zero.description == "0")
        #expect(q0.description == "q0")
        #expect((q0 + q1).description == "q0+q1")
        #expect(SymbolicEntry(constant: 1).description == "1")
        #expect((q0 + q1).formatted(latex: true) == "q_{0} + q_{1}")
        // Coefficients and signs print in front of the tap; never an empty string.
        let mixed = SymbolicEntry(tap: 1, coefficient: -2) + SymbolicEntry(tap: 3, coefficient: 0.25)
        #expect(mixed.description.hasPrefix("-2q1") && mixed.description.contains("0.25q3"))
    }
}
