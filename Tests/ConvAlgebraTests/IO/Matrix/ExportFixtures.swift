import ConvAlgebra
import Foundation
import Testing

/// The matrices `scripts/make_export_fixtures.py` wrote with SciPy, read through `Bundle.module`.
enum ExportFixtures {
    static func path(_ name: String, _ ext: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures/export"),
                     "missing fixture \(name).\(ext): run scripts/make_export_fixtures.py").path
    }

    /// The dense matrix SciPy's `toarray()` gave, as float64.
    static func dense(_ name: String) throws -> DenseMatrix<Double> {
        let a = try NPY.read(path: try path(name + ".dense", "npy")).tensor(of: Double.self)
        return try DenseMatrix(rows: a.shape.dims[0], columns: a.shape.dims[1], entries: a.scalars)
    }

    /// Expects `m` to equal the fixture `name` entry for entry (float32 values compared as stored).
    static func expectEqual<S: BLASScalar>(_ m: CSRMatrix<S>, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let want = try dense(name)
        #expect(m.rows == want.rows && m.columns == want.columns, "\(name): size", sourceLocation: sourceLocation)
        guard m.rows == want.rows && m.columns == want.columns else { return }
        let got = try m.dense(budget: .unlimited)
        for i in 0..<m.rows {
            for j in 0..<m.columns where Double(got[i, j]) != Double(S(want[i, j])) {
                Issue.record("\(name)[\(i), \(j)] = \(got[i, j]), SciPy has \(want[i, j])", sourceLocation: sourceLocation)
                return
            }
        }
    }
}
