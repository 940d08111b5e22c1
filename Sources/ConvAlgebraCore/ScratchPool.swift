/// Reusable scratch memory: a block handed out for the length of a closure and kept for the next call, so a
/// kernel applied again and again allocates nothing in the steady state (a plan owns one; concurrent callers
/// each get a block of their own, at worst allocated once per level of concurrency).
///
/// - Complexity: one lock to take a block and one to give it back; a block is allocated only when no free one
///   is large enough (the too-small one it replaces is freed).
package final class ScratchPool: Sendable {
    private struct Block: @unchecked Sendable { let base: UnsafeMutableRawPointer, bytes: Int }
    private let free = Locked<[Block]>([])

    public init() {}

    deinit { free.withLock { blocks in for b in blocks { b.base.deallocate() } } }

    /// Runs `body` on at least `count` (≥ 1) uninitialised elements of `T`, 64-byte aligned, which it may
    /// overwrite freely; the memory goes back to the pool afterwards.
    public func with<T, R>(_: T.Type, count: Int, _ body: (UnsafeMutablePointer<T>) throws -> R) rethrows -> R {
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        let block = free.withLock { blocks -> Block? in
            guard let i = blocks.firstIndex(where: { $0.bytes >= bytes }) else {
                return blocks.popLast()  // too small: replaced below
            }
            return blocks.remove(at: i)
        }
        let usable: Block
        if let block, block.bytes >= bytes {
            usable = block
        } else {
            block?.base.deallocate()
            usable = Block(base: .allocate(byteCount: bytes, alignment: 64), bytes: bytes)
        }
        defer { free.withLock { $0.append(usable) } }
        return try body(usable.base.bindMemory(to: T.self, capacity: bytes / MemoryLayout<T>.stride))
    }

    /// The number of blocks held (for tests).
    public var blockCount: Int { free.withLock { $0.count } }
}
