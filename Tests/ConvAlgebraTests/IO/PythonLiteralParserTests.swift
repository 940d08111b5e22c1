@testable import ConvAlgebraIO
import ConvAlgebraCore
import Testing

/// The literal subset of `ast.literal_eval` an NPY header uses, against Python's own readings.
@Suite struct PythonLiteralParserTests {
    typealias Value = PythonLiteralParser.Value

    func parse(_ text: String) throws -> Value {
        var p = PythonLiteralParser(text)
        return try p.parseAll()
    }

    @Test func readsNestedValues() throws {
        let v = try parse(#"{'a': (1, -2), "b": [True, False, None], 'c': {'d': +7}, }"#)
        #expect(v == .dict([("a", .tuple([.int(1), .int(-2)])), ("b", .list([.bool(true), .bool(false), .none])),
                            ("c", .dict([("d", .int(7))]))]))
    }

    /// Python: `(3)` is the int 3, `(3,)` a one-tuple, `()` the empty tuple, `[]` the empty list.
    @Test func parenthesesFollowPythonsTupleRule() throws {
        #expect(try parse("(3)") == .int(3))
        #expect(try parse("(3,)") == .tuple([.int(3)]))
        #expect(try parse("()") == .tuple([]))
        #expect(try parse("[]") == .list([]))
        #expect(try parse("(2, 3, )") == .tuple([.int(2), .int(3)]))
    }

    @Test func surroundingSpaceAndNULPaddingAreAllowed() throws {
        #expect(try parse("  {'x': 'y'}  \n\0\0") == .dict([("x", .string("y"))]))
    }

    /// Key order is kept as written (NumPy writes descr, fortran_order, shape, but readers accept any order).
    @Test func dictKeepsItsKeyOrder() throws {
        guard case .dict(let entries) = try parse("{'shape': (), 'descr': '<f8'}") else { Issue.record("not a dict"); return }
        #expect(entries.map(\.0) == ["shape", "descr"])
    }

    @Test(arguments: ["{'a': 1} x", "{'a': 1", "{'a' 1}", "'unterminated", "{1: 2}", "(1 2)", "Truth", "", "-"])
    func malformedTextIsAnError(text: String) {
        #expect(throws: ConvAlgebraError.self) { try parse(text) }
    }

    /// A hostile header cannot exhaust the stack: deep nesting is refused, not recursed into.
    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ",)", count: 10_000)
        #expect(throws: ConvAlgebraError.self) { try parse(deep) }
        let shallow = String(repeating: "[", count: 8) + String(repeating: "]", count: 8)
        #expect(throws: Never.self) { try parse(shallow) }
    }
}
