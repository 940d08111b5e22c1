import CBLAS

/// The BLAS library the dense form and the GEMM kernels link, as it describes itself.
public enum BLASLibrary {
    /// OpenBLAS's build line (`openblas_get_config()`), e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64`:
    /// its version and the kernel set it picked for this CPU, for the provenance of benchmark results.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text).trimmingBlanks
    }
}

extension String {
    fileprivate var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[start...end])
    }
}
