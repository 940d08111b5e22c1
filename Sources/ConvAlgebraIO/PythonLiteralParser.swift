import ConvAlgebraCore
import ConvAlgebraBackends

/// A parser for the small subset of Python literals an NPY header uses (NumPy reads it with
/// `ast.literal_eval`): dicts, tuples, lists, strings, integers, `True`, `False`, `None`.
///
/// Every failure is a ``ConvAlgebraError/malformedNPY(_:)`` naming the offset, never a trap; nesting is
/// limited so that a hostile header cannot exhaust the stack.
package struct PythonLiteralParser {
    package indirect enum Value: Equatable {
        case dict([(String, Value)])
        case tuple([Value])
        case list([Value])
        case string(String)
        case int(Int)
        case bool(Bool)
        case none

        package static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case let (.dict(x), .dict(y)): return x.elementsEqual(y) { $0.0 == $1.0 && $0.1 == $1.1 }
            case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): return x == y
            case let (.string(x), .string(y)): return x == y
            case let (.int(x), .int(y)): return x == y
            case let (.bool(x), .bool(y)): return x == y
            case (.none, .none): return true
            default: return false
            }
        }
    }

    private let chars: [Character]
    private var i = 0
    private var depth = 0
    private static let maxDepth = 16

    package init(_ text: String) { chars = Array(text) }

    /// Parses one value that must span the whole text (surrounding whitespace allowed).
    package mutating func parseAll() throws -> Value {
        let v = try value()
        skipSpace()
        guard i == chars.count else { throw fail("unexpected text after the header dict") }
        return v
    }

    private func fail(_ what: String) -> ConvAlgebraError {
        .malformedNPY("the header is not a valid dict literal: \(what) at offset \(i)")
    }

    private mutating func skipSpace() {
        while i < chars.count, chars[i].isWhitespace || chars[i] == "\0" { i += 1 }
    }

    private mutating func value() throws -> Value {
        skipSpace()
        guard i < chars.count else { throw fail("the header ends early") }
        depth += 1
        defer { depth -= 1 }
        guard depth <= PythonLiteralParser.maxDepth else { throw fail("nesting too deep") }
        switch chars[i] {
        case "{": return try dict()
        case "(":
            let (items, trailingComma) = try sequence(close: ")")
            // `(3)` is a parenthesised value, `(3,)` and `()` are tuples: Python's rule.
            return items.count == 1 && !trailingComma ? items[0] : .tuple(items)
        case "[": return .list(try sequence(close: "]").items)
        case "'", "\"": return .string(try string())
        case "-", "+", "0"..."9": return .int(try integer())
        default:
            for (word, v) in [("True", Value.bool(true)), ("False", .bool(false)), ("None", .none)] where matches(word) {
                i += word.count
                return v
            }
            throw fail("unexpected character '\(chars[i])'")
        }
    }

    private func matches(_ word: String) -> Bool {
        let w = Array(word)
        guard i + w.count <= chars.count, Array(chars[i..<(i + w.count)]) == w else { return false }
        let end = i + w.count
        return end == chars.count || !(chars[end].isLetter || chars[end].isNumber || chars[end] == "_")
    }

    private mutating func dict() throws -> Value {
        i += 1  // "{"
        var entries: [(String, Value)] = []
        while true {
            skipSpace()
            guard i < chars.count else { throw fail("unterminated dict") }
            if chars[i] == "}" { i += 1; return .dict(entries) }
            guard case .string(let key) = try value() else { throw fail("a dict key that is not a string") }
            guard !entries.contains(where: { $0.0 == key }) else { throw fail("duplicate key '\(key)'") }
            skipSpace()
            guard i < chars.count, chars[i] == ":" else { throw fail("missing ':' after key '\(key)'") }
            i += 1
            entries.append((key, try value()))
            skipSpace()
            guard i < chars.count else { throw fail("unterminated dict") }
            if chars[i] == "," { i += 1 } else if chars[i] != "}" { throw fail("expected ',' or '}'") }
        }
    }

    private mutating func sequence(close: Character) throws -> (items: [Value], trailingComma: Bool) {
        i += 1  // "(" or "["
        var items: [Value] = []
        var comma = false
        while true {
            skipSpace()
            guard i < chars.count else { throw fail("unterminated '\(close == ")" ? "(" : "[")'") }
            if chars[i] == close { i += 1; return (items, comma) }
            items.append(try value())
            comma = false
            skipSpace()
            guard i < chars.count else { throw fail("unterminated sequence") }
            if chars[i] == "," { i += 1; comma = true } else if chars[i] != close { throw fail("expected ',' or '\(close)'") }
        }
    }

    private mutating func string() throws -> String {
        let quote = chars[i]
        i += 1
        var s = ""
        while i < chars.count {
            let c = chars[i]
            i += 1
            if c == quote { return s }
            if c == "\\" {
                guard i < chars.count else { break }
                s.append(chars[i])
                i += 1
            } else {
                s.append(c)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func integer() throws -> Int {
        var negative = false
        if chars[i] == "-" || chars[i] == "+" { negative = chars[i] == "-"; i += 1; skipSpace() }
        let start = i
        var n = 0
        while i < chars.count, let d = chars[i].wholeNumberValue, chars[i].isASCII {
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(d)
            guard !o1, !o2 else { throw ConvAlgebraError.malformedNPY("the header has an integer too large for a shape entry") }
            n = a
            i += 1
        }
        guard i > start else { throw fail("a sign without digits") }
        if i < chars.count, chars[i] == "L" { i += 1 }  // Python 2 long literals in old files
        return negative ? -n : n
    }
}
