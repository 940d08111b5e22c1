import Foundation
import ConvAlgebraCore
import ConvAlgebraMatrices
import ConvAlgebraIO

extension Network {
    /// The file name of layer `index`'s matrix: `NN_<node name with / → _>.npz` (leading separators dropped).
    public static func matrixFileName(index: Int, layer: NetworkLayer) -> String {
        var name = layer.name.map { $0 == "/" || $0 == "\\" || $0 == ":" ? "_" : $0 }.map(String.init).joined()
        while name.hasPrefix("_") || name.hasPrefix(".") { name.removeFirst() }
        return String(format: "%02d_", index) + (name.isEmpty ? layer.op : name) + ".npz"
    }

    /// Writes every layer's matrix (one sample, `float64`, CSR) to `directory` as SciPy `.npz`
    /// (``NPZ``; `scipy.sparse.load_npz` reads it), creating the directory when missing.
    /// - Returns: the file names, one per layer, in order.
    /// - Throws: ``ConvAlgebraError/io(_:)`` when the directory cannot be made or written; memory-budget errors.
    /// - Complexity: each layer's CSR materialisation, `O(nnz)` per layer.
    @discardableResult
    public func exportMatrices(to directory: String, budget: MemoryBudget = .default) throws -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ConvAlgebraError.io("'\(directory)' exists and is not a directory") }
        } else {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            catch { throw ConvAlgebraError.io("cannot create the directory '\(directory)'") }
        }
        var names: [String] = []
        for (i, layer) in layers.enumerated() {
            let name = Self.matrixFileName(index: i, layer: layer)
            try NPZ.write(try layer.linear.sparse(budget: budget), to: directory + "/" + name, budget: budget)
            names.append(name)
        }
        return names
    }
}
