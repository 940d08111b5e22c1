import ConvAlgebraCore
import ConvAlgebraBackends
#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif
import Synchronization

/// Copies that bypass the cache (non-temporal stores) for outputs too large to stay in it.
///
/// An ordinary store first reads the destination line into the cache (read-for-ownership), so writing
/// `B` bytes that will not be read again soon moves `2B` bytes over the memory bus and evicts `B` bytes
/// of useful data. A streaming store (`movntdq`) writes the line without reading it: memory-bound
/// kernels with a large output (pooling, up-sampling) write at up to twice the speed. Where the
/// intrinsics are unavailable (other architectures) the copy is an ordinary `memmove`.
package enum StreamingStore {
    /// The total output size, in bytes, from which the pooling kernels stream their output: half of this
    /// core's share of the last-level cache (``MachineProfile/Caches/lastLevel`` over the CPUs sharing it),
    /// below which the output may well be read again from cache.
    package static let threshold = {
        let last = MachineProfile.current.caches.lastLevel
        return last.bytes / max(last.sharedBy ?? 1, 1) / 2
    }()

    /// Copies `count` elements from `source` to `destination` (non-overlapping), streaming every whole
    /// 16-byte block of the destination; the unaligned head and tail use ordinary stores.
    /// Call ``fence()`` before another thread reads the destination.
    @inline(__always)
    package static func copy<T>(_ source: UnsafePointer<T>, to destination: UnsafeMutablePointer<T>, count: Int) {
        let bytes = count * MemoryLayout<T>.stride
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        let s = UnsafeRawPointer(source), d = UnsafeMutableRawPointer(destination)
        let head = min(bytes, (16 - Int(bitPattern: d) & 15) & 15)
        if head > 0 { d.copyMemory(from: s, byteCount: head) }
        var i = head
        // movntdq needs a 16-byte-aligned destination; the source may be anywhere.
        while i + 64 <= bytes {
            _mm_stream_si128((d + i).assumingMemoryBound(to: __m128i.self), s.loadUnaligned(fromByteOffset: i, as: __m128i.self))
            _mm_stream_si128((d + i + 16).assumingMemoryBound(to: __m128i.self), s.loadUnaligned(fromByteOffset: i + 16, as: __m128i.self))
            _mm_stream_si128((d + i + 32).assumingMemoryBound(to: __m128i.self), s.loadUnaligned(fromByteOffset: i + 32, as: __m128i.self))
            _mm_stream_si128((d + i + 48).assumingMemoryBound(to: __m128i.self), s.loadUnaligned(fromByteOffset: i + 48, as: __m128i.self))
            i += 64
        }
        while i + 16 <= bytes {
            _mm_stream_si128((d + i).assumingMemoryBound(to: __m128i.self), s.loadUnaligned(fromByteOffset: i, as: __m128i.self))
            i += 16
        }
        if i < bytes { (d + i).copyMemory(from: s + i, byteCount: bytes - i) }
        #else
        UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: bytes)
        #endif
    }

    /// Orders the streaming stores before every later memory access: streaming stores are weakly
    /// ordered, so a kernel fences before it hands its output to another thread. (A sequentially
    /// consistent fence, `mfence` on x86; `_mm_sfence` is a compiler builtin Swift cannot call.)
    @inline(__always)
    package static func fence() {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
    }
}

/// Where a kernel writes its output rows: straight into the output, or, when streaming, into a small
/// cache-resident buffer that is copied out with streaming stores whenever it fills.
///
/// The rows a job writes must be consecutive in the output (a job owns a contiguous range of planes).
package struct RowWriter<T> {
    private let buffer: UnsafeMutablePointer<T>?
    private let capacity: Int
    private var flushed: UnsafeMutablePointer<T>
    private var used = 0

    /// A writer starting at `destination`; `buffer` (of `capacity` elements, at least one row) is used
    /// for streaming, `nil` writes in place.
    package init(_ destination: UnsafeMutablePointer<T>, buffer: UnsafeMutableBufferPointer<T>?) {
        flushed = destination
        self.buffer = buffer?.baseAddress
        capacity = buffer?.count ?? 0
    }

    /// Room for the next `n` elements of the output (valid until the next call).
    @inline(__always)
    package mutating func next(_ n: Int) -> UnsafeMutablePointer<T> {
        guard let buffer else {
            defer { flushed += n }
            return flushed
        }
        if used + n > capacity { flush() }
        defer { used += n }
        return buffer + used
    }

    /// Streams out what the buffer holds; call once at the end of the job.
    @inline(__always)
    package mutating func flush() {
        guard let buffer, used > 0 else { return }
        StreamingStore.copy(buffer, to: flushed, count: used)
        flushed += used
        used = 0
    }

    /// The buffer capacity a job needs for rows of `rowLength`, or 0 when the output is not streamed.
    package static func bufferCapacity(rowLength: Int, totalBytes: Int) -> Int {
        totalBytes >= StreamingStore.threshold ? max(rowLength, 16_384 / MemoryLayout<T>.stride) : 0
    }
}
