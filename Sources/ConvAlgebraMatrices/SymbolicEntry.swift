import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels

/// One entry of a symbolic operator matrix: a linear form in the kernel taps,
/// `c + Σₜ aₜ·qₜ`, printed as the reference text prints it: `q0`, `q0+q1`, `0`, `1`.
public struct SymbolicEntry: Hashable, Sendable, CustomStringConvertible {
    /// The constant part (the entries of ↓k, ↑k and other kernel-free operators).
    public var constant: Double
    /// `(tap, coefficient)` pairs, taps strictly increasing, no zero coefficient.
    public private(set) var terms: [(tap: Int, coefficient: Double)]

    public static let zero = SymbolicEntry(constant: 0)

    public init(constant: Double) {
        self.constant = constant
        self.terms = []
    }

    /// The entry `coefficient · q_tap`.
    public init(tap: Int, coefficient: Double = 1) {
        self.constant = 0
        self.terms = coefficient == 0 ? [] : [(tap, coefficient)]
    }

    /// True when the entry is the constant 0.
    public var isZero: Bool { constant == 0 && terms.isEmpty }

    /// True when no kernel tap appears.
    public var isConstant: Bool { terms.isEmpty }

    public static func + (a: SymbolicEntry, b: SymbolicEntry) -> SymbolicEntry {
        var r = SymbolicEntry(constant: a.constant + b.constant)
        var i = 0, j = 0
        while i < a.terms.count || j < b.terms.count {
            if j == b.terms.count || (i < a.terms.count && a.terms[i].tap < b.terms[j].tap) {
                r.terms.append(a.terms[i]); i += 1
            } else if i == a.terms.count || b.terms[j].tap < a.terms[i].tap {
                r.terms.append(b.terms[j]); j += 1
            } else {
                let c = a.terms[i].coefficient + b.terms[j].coefficient
                if c != 0 { r.terms.append((a.terms[i].tap, c)) }
                i += 1; j += 1
            }
        }
        return r
    }

    /// The entry scaled by a number.
    public func scaled(by s: Double) -> SymbolicEntry {
        guard s != 0 else { return .zero }
        var r = SymbolicEntry(constant: constant * s)
        r.terms = terms.map { ($0.tap, $0.coefficient * s) }
        return r
    }

    /// The product of two entries; it is linear in the taps only when one factor is a constant.
    /// - Throws: ``ConvAlgebraError/unsupported(_:)`` for a product of two kernel-dependent entries.
    public static func product(_ a: SymbolicEntry, _ b: SymbolicEntry) throws -> SymbolicEntry {
        if a.isConstant { return b.scaled(by: a.constant) }
        if b.isConstant { return a.scaled(by: b.constant) }
        throw ConvAlgebraError.unsupported(
            "a product of two kernel-dependent operators is quadratic in the taps and has no symbolic form here")
    }

    /// The numeric value for the given taps.
    public func value<S: BLASScalar>(taps q: [S]) -> S {
        terms.reduce(S(constant)) { $0 + S($1.coefficient) * q[$1.tap] }
    }

    public static func == (a: SymbolicEntry, b: SymbolicEntry) -> Bool {
        a.constant == b.constant && a.terms.elementsEqual(b.terms) { $0.tap == $1.tap && $0.coefficient == $1.coefficient }
    }

    public func hash(into h: inout Hasher) {
        h.combine(constant)
        for t in terms { h.combine(t.tap); h.combine(t.coefficient) }
    }

    public var description: String { formatted(latex: false) }

    /// The entry as text: `q0+q1`, `2q1`, `-q0`, `0.25`; with `latex`, `q_{0} + q_{1}`.
    public func formatted(latex: Bool) -> String {
        formatted(latex: latex) { latex ? "q_{\($0)}" : "q\($0)" }
    }

    /// The entry as text with the taps named by `tapName` (for a layer's weight, `q[o,i,ky,kx]`).
    public func formatted(latex: Bool, tapName: (Int) -> String) -> String {
        if isZero { return "0" }
        var parts: [(negative: Bool, text: String)] = []
        for (t, c) in terms {
            let name = tapName(t)
            let m = abs(c)
            parts.append((c < 0, m == 1 ? name : SymbolicEntry.number(m) + name))
        }
        if constant != 0 { parts.append((constant < 0, SymbolicEntry.number(abs(constant)))) }
        var s = parts[0].negative ? "-" : ""
        s += parts[0].text
        for p in parts.dropFirst() { s += latex ? (p.negative ? " - " : " + ") : (p.negative ? "-" : "+"); s += p.text }
        return s
    }

    package static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }
}
