/// Data-parallel loops over independent jobs on the machine's cores, run by the persistent ``WorkerPool``.
///
/// Kernels hand this raw pointers into disjoint output regions; the jobs never write the same
/// element, which is why wrapping the closure as `@unchecked Sendable` is sound.
package enum Parallel {
    /// Runs `body(0) … body(jobs − 1)`, across cores when `work` (a multiply-add count) is large
    /// enough to repay the dispatch, otherwise in order on the calling thread.
    public static func forEach(jobs: Int, work: Int, threshold: Int = 1 << 16, _ body: (Int) -> Void) {
        guard jobs > 1, work >= threshold else {
            for j in 0..<max(jobs, 0) { body(j) }
            return
        }
        WorkerPool.shared.run(jobs: jobs, body)
    }
}
