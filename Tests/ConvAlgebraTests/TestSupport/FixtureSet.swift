import ConvAlgebra
import Foundation
import Testing

/// One committed fixture set, `Tests/ConvAlgebraTests/Fixtures/<name>/`: a `manifest.json` whose `cases` list the
/// `.npy` files of each case by role (`x`, `y`, `dy`, …), written by a script under `scripts/`.
struct FixtureSet<Case: Decodable> {
    private struct Manifest: Decodable { let cases: [Case] }

    let name: String
    /// The set's folder in the test bundle, or nil when the resource is missing (the set's tests then fail).
    var directory: URL? { Bundle.module.url(forResource: "Fixtures", withExtension: nil)?.appendingPathComponent(name) }

    /// The manifest's cases, or none when it cannot be read (a test that expects cases then fails).
    var cases: [Case] {
        guard let dir = directory, let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")),
              let m = try? JSONDecoder().decode(Manifest.self, from: data) else { return [] }
        return m.cases
    }

    /// The array `files[role]` of case `id` as `S`; a missing role or file fails the test.
    func tensor<S: BLASScalar>(_ files: [String: String], _ role: String, id: String, _: S.Type) throws -> Tensor<S> {
        let dir = try #require(directory)
        let file = try #require(files[role], "case \(id) has no \(role) file")
        return try NPY.read(path: dir.appendingPathComponent(file).path).tensor(of: S.self, what: "\(id) \(role)")
    }
}
