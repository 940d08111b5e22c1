@testable import ConvAlgebraIO
import ConvAlgebra
import Testing
import _TestSupport

/// The format of a path, and a matrix written in each format reading back equal.
@Suite struct MatrixFormatTests {
    @Test func theFormatFollowsTheExtension() throws {
        #expect(try MatrixFormat(path: "a/b.npz") == .npz)
        #expect(try MatrixFormat(path: "m.MTX") == .mtx)
        #expect(try MatrixFormat(path: "./x.y.npy") == .npy)
        for bad in ["a.txt", "npz", "dir.npz/file", ""] {
            expectThrows(.invalidArgument, bad) { try MatrixFormat(path: bad) }
        }
    }

    @Test func aMatrixWrittenInEachFormatReadsBackEqual() throws {
        let d = try AtomicFileTests.directory()
        let dense = try DenseMatrix<Double>(rows: 3, columns: 4, entries: [0, 1.5, 0, -2, 0, 0, 0, 0, 3, 0, 0.25, 0])
        for format in MatrixFormat.allCases {
            let path = d + "/m." + format.rawValue
            try format.write(dense, to: path)
            switch format {
            case .npz: #expect(try NPZ.read(path: path).matrix(of: Double.self).dense() == dense)
            case .mtx: #expect(try MatrixMarket.read(path: path, as: Double.self).dense() == dense)
            case .npy:
                let t = try NPY.read(path: path).tensor(of: Double.self)
                #expect(t.shape.dims == [3, 4] && t.scalars == dense.entries)
            }
        }
    }
}
