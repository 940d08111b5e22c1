import ConvAlgebra
import Testing

@Suite struct IntegerArithmeticTests {
    @Test func floorAndCeilingDivision() {
        for a in -9...9 {
            for b in [-4, -3, -1, 1, 2, 5] {
                let exact = Double(a) / Double(b)
                #expect(IntegerArithmetic.floorDiv(a, b) == Int(exact.rounded(.down)), "\(a) / \(b)")
                #expect(IntegerArithmetic.ceilDiv(a, b) == Int(exact.rounded(.up)), "\(a) / \(b)")
            }
        }
        #expect(IntegerArithmetic.gcd(12, 18) == 6 && IntegerArithmetic.gcd(0, 0) == 1 && IntegerArithmetic.gcd(7, 0) == 7)
    }
}
