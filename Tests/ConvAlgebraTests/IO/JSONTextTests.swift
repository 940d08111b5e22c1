import ConvAlgebra
import Foundation
import Testing

/// The one JSON writer: what it writes parses back (Foundation's parser as the oracle) to the same values.
@Suite struct JSONTextTests {
    @Test(arguments: ["plain", "quote \" and backslash \\", "line\nbreak", "tab\tand bell\u{7}", "µs ≈ ↓k", ""])
    func stringsRoundTrip(text: String) throws {
        let json = JSONText.string(text)
        #expect(json.first == "\"" && json.last == "\"")
        #expect(!json.unicodeScalars.contains { $0.value < 0x20 }, "no raw control character in \(json)")
        let back = try JSONSerialization.jsonObject(with: Data("[\(json)]".utf8)) as? [String]
        #expect(back == [text])
    }

    @Test func numbersAreJSONOrNull() throws {
        for x in [0.0, 1.5, -2, 1e-05, 3e300, 0.1] {
            let back = try JSONSerialization.jsonObject(with: Data("[\(JSONText.number(x))]".utf8)) as? [Double]
            #expect(back == [x], "\(x)")
        }
        #expect([Double.nan, .infinity, -.infinity].map(JSONText.number) == ["null", "null", "null"])
    }

    @Test func membersKeepTheirOrder() throws {
        let members = JSONText.members([("b", "1"), ("a", JSONText.array(["2", "3"])), ("c\"", "null")])
        #expect(members == ["\"b\": 1", "\"a\": [2, 3]", "\"c\\\"\": null"])
        let object = try JSONSerialization.jsonObject(with: Data(("{" + members.joined(separator: ", ") + "}").utf8)) as? [String: Any]
        #expect(object?["b"] as? Int == 1 && object?["a"] as? [Int] == [2, 3] && object?["c\""] is NSNull)
    }
}
