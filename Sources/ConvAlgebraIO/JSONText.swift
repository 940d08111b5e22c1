import ConvAlgebraCore

/// The pieces of the JSON the package writes (the bench report, `convalgebra analyze --json`), by hand so
/// that the field order is the documented one: strings escaped as RFC 8259 requires, numbers in Swift's
/// shortest round-trip form (valid JSON: `1.5`, `1e-05`, `2.0`) and `null` when not finite.
package enum JSONText {
    /// `s` as a JSON string: quotes, backslashes and control characters escaped.
    package static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// `x`, or `null` when it is not finite (JSON has no NaN or infinity).
    package static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

    /// `[a, b, …]` from values already written as JSON.
    package static func array(_ values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }

    /// `"key": value` for each field, in order; the caller joins them with its layout.
    package static func members(_ fields: [(String, String)]) -> [String] { fields.map { string($0.0) + ": " + $0.1 } }
}
