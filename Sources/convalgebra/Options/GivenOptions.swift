import ArgumentParser

/// Which options of a parsed ``OperatorOptions`` were given, by their command-line spellings.
///
/// argument-parser names an option after its property (`paddingMode` → `--padding-mode`) and does not say
/// afterwards which ones the command line held; this reads the same names off the parsed value by
/// reflection. An option counts as given when it holds a value (`String?`, `Int?`, a `Bool?` flag) or is a
/// plain flag that is set (`--ceil-mode`); nested `@OptionGroup`s are read in place.
enum GivenOptions {
    static func spellings(in arguments: Any) -> [String] {
        Mirror(reflecting: arguments).children.flatMap { child -> [String] in
            if let group = child.value as? any NestedArguments { return spellings(in: group.arguments) }
            guard let label = child.label, label.hasPrefix("_"),
                  let argument = child.value as? any ParsedArgument, isGiven(argument.parsedValue) else { return [] }
            return ["--" + kebabCased(label.dropFirst())]
        }
    }

    /// `paddingMode` → `padding-mode`, argument-parser's default spelling of a long name.
    static func kebabCased(_ name: Substring) -> String {
        var out = ""
        for c in name {
            if c.isUppercase { out += "-" + c.lowercased() } else { out.append(c) }
        }
        return out
    }

    private static func isGiven(_ value: Any) -> Bool {
        if let optional = value as? any OptionalValue { return !optional.isNone }
        if let flag = value as? Bool { return flag }
        return true
    }
}

/// A parsed `@Option` or `@Flag`, its value as `Any`.
private protocol ParsedArgument { var parsedValue: Any { get } }
extension Option: ParsedArgument { fileprivate var parsedValue: Any { wrappedValue } }
extension Flag: ParsedArgument { fileprivate var parsedValue: Any { wrappedValue } }

/// A parsed `@OptionGroup`, its arguments as `Any`.
private protocol NestedArguments { var arguments: Any { get } }
extension OptionGroup: NestedArguments { fileprivate var arguments: Any { wrappedValue } }

private protocol OptionalValue { var isNone: Bool { get } }
extension Optional: OptionalValue { fileprivate var isNone: Bool { self == nil } }
