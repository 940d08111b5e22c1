import CBLAS

/// The BLAS library the package is linked against, as it describes itself (for the benchmark results).
public enum BLASLibrary {
    /// OpenBLAS's build description, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64`.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text).split(separator: " ").joined(separator: " ")
    }

    /// The version number in ``configuration`` (`0.3.21`), or nil when it names none.
    public static var version: String? {
        let words = configuration.split(separator: " ")
        guard let i = words.firstIndex(of: "OpenBLAS"), i + 1 < words.count else { return nil }
        return String(words[i + 1])
    }
}
