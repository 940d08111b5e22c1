import ConvAlgebra

/// libFuzzer's entry: the NPY reader on the input bytes, with a 16 MiB budget so that a header declaring a
/// huge shape is a budget error, never an allocation. Any error thrown is fine; a trap, an ASan report or a
/// leak is a finding (libFuzzer keeps the input as `crash-…`; copy it to `Fuzz/Corpus/npy` and it stays a
/// regression input of every later run).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let array = try? NPY.read(bytes: bytes, budget: MemoryBudget(bytes: 1 << 24)) {
        // A file that reads must round-trip.
        let again = try? NPY.read(bytes: {
            switch array {
            case .float32(let t): return NPY.encode(t)
            case .float64(let t): return NPY.encode(t)
            }
        }(), budget: MemoryBudget(bytes: 1 << 25))
        if again == nil { fatalError("a file that reads did not round-trip") }
    }
    return 0
}
