import ConvAlgebra

/// The one parser of the CLI's comma lists: `--stride 2,2`, `--domain 3,8,8`, `--padding 1,2` or `same`.
///
/// Every failure is a one-line ``ConvAlgebraError/invalidArgument(_:)`` naming the option and the text.
enum CommaList {
    /// Integers separated by commas (spaces around them allowed): `"2"`, `"2,3"`, `"1, 2"`.
    /// - Throws: for an empty list, an empty entry or a non-integer entry.
    static func ints(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmedBlanks }
        guard !text.trimmedBlanks.isEmpty else {
            throw ConvAlgebraError.invalidArgument("\(option) needs a value: an int or a comma list like 2,2")
        }
        return try parts.map { p in
            guard let v = Int(p) else {
                throw ConvAlgebraError.invalidArgument(
                    "\(option) '\(text)': '\(p)' is not an integer (expected an int or a comma list like 2,2)")
            }
            return v
        }
    }

    /// A sample shape such as `--domain 3,8,8`: non-negative extents.
    static func shape(_ text: String, option: String) throws -> Shape {
        let dims = try ints(text, option: option)
        if let bad = dims.first(where: { $0 < 0 }) {
            throw ConvAlgebraError.invalidArgument("\(option) '\(text)': negative extent \(bad)")
        }
        return try Shape(dims)
    }

    /// Exactly one integer (for options an op takes per call, not per dimension: `convolve --stride 2`).
    static func int(_ text: String, option: String, op: String) throws -> Int {
        let v = try ints(text, option: option)
        guard v.count == 1 else {
            throw ConvAlgebraError.invalidArgument("\(op) takes one \(option) value, got '\(text)'")
        }
        return v[0]
    }

    /// A per-dimension list: one value for every dimension, or exactly `rank` values.
    static func perDimension(_ text: String, option: String, rank: Int) throws -> [Int] {
        let v = try ints(text, option: option)
        if v.count == 1 { return Array(repeating: v[0], count: rank) }
        guard v.count == rank else {
            throw ConvAlgebraError.invalidArgument(
                "\(option) '\(text)' has \(v.count) values, but there are \(rank) spatial dimensions (give 1 or \(rank))")
        }
        return v
    }
}

/// The contract's `--padding`: explicit amounts or the words `same` / `valid`.
enum PaddingSpec: Equatable {
    case same
    case valid
    /// As given: one value, one per dimension, or 2·d values (all begins, then all ends).
    case explicit([Int])

    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for anything else, and for negative amounts.
    init(_ text: String) throws {
        switch text.trimmedBlanks.lowercased() {
        case "same": self = .same
        case "valid": self = .valid
        default:
            let v = try CommaList.ints(text, option: "--padding")
            if let bad = v.first(where: { $0 < 0 }) {
                throw ConvAlgebraError.invalidArgument("--padding '\(text)': negative padding \(bad)")
            }
            self = .explicit(v)
        }
    }

    /// Explicit amounts as (begins, ends) per dimension, from 1, `rank` or `2·rank` values.
    /// - Throws: for another count.
    func beginsAndEnds(rank: Int) throws -> (begins: [Int], ends: [Int])? {
        guard case .explicit(let v) = self else { return nil }
        if v.count == 1 { return (Array(repeating: v[0], count: rank), Array(repeating: v[0], count: rank)) }
        if v.count == rank { return (v, v) }
        if v.count == 2 * rank { return (Array(v[..<rank]), Array(v[rank...])) }
        throw ConvAlgebraError.invalidArgument(
            "--padding has \(v.count) values, but \(rank) spatial dimensions need 1, \(rank) or \(2 * rank)")
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmedBlanks: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension CommaList {
    /// One word of a closed set, such as `--mode same` or `--padding-mode reflect`; `value` when absent.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` naming the known words:
    ///   `unknown mode 'wrap' for convolve (known: full, same, valid, circular)`.
    static func choice<Word: RawRepresentable & CaseIterable>(_ text: String?, default value: Word, noun: String,
                                                             op: String) throws -> Word where Word.RawValue == String {
        guard let text else { return value }
        guard let word = Word(rawValue: text) else {
            throw ConvAlgebraError.invalidArgument(
                "unknown \(noun) '\(text)' for \(op) (known: \(Word.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return word
    }
}
