/// An array whose elements are plain bytes in memory, so that several arrays of different element types can be
/// handed to one writer as raw buffers without copying them into one (``withRawBytes(_:_:)``).
package protocol RawBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

// Only arrays of plain values (integers, floats, bytes) are passed: their storage is the bytes a file holds.
extension Array: RawBytes {}

/// Calls `body` with the raw bytes of every array in `arrays`, in order, all valid for the duration of the call.
package func withRawBytes<R>(_ arrays: [any RawBytes], _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
    func go(_ i: Int, _ done: [UnsafeRawBufferPointer]) throws -> R {
        guard i < arrays.count else { return try body(done) }
        return try arrays[i].withUnsafeBytes { try go(i + 1, done + [$0]) }
    }
    return try go(0, [])
}
