#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The temporary files of the whole-file writes under way (``AtomicFile``), removed when the process is stopped
/// by `SIGTERM`, `SIGINT` or `SIGHUP`, so that a stopped `convalgebra` leaves no `.<name>.tmp-…` beside its
/// output (the output itself is never partial: it only appears by `rename(2)`).
///
/// The signal handler must be async-signal-safe: it only reads this registry (one preallocated buffer of
/// ``slotCount`` paths and an atomic word saying which are live), calls `unlink(2)`, restores the default
/// action and re-raises the signal, so the process still dies of it (exit status `128 + signal` in a shell).
/// A path is published by writing its bytes first and setting its live bit last (release); the handler reads
/// the bits with acquire, so it never sees half a path.
///
/// Signals that were ignored when the process started (`SIGINT` in a shell's background job, `SIGHUP` under
/// `nohup`) stay ignored: a handler would override what the caller asked for.
package enum TerminationCleanup {
    /// How many writes can be under way at once with cleanup; more are written without it.
    package static let slotCount = 64
    /// Bytes per path, its terminating NUL included: `PATH_MAX`.
    package static let slotBytes = Int(PATH_MAX)

    /// The signals whose default action ends the process and that a user or a supervisor sends to stop it.
    package static let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    private nonisolated(unsafe) static let paths: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * slotBytes)
        p.initialize(repeating: 0, count: slotCount * slotBytes)
        return p
    }()
    /// Bit `i`: slot `i` is taken by a writer (it may still be filling it).
    private static let claimed = Atomic<UInt64>(0)
    /// Bit `i`: slot `i` holds a complete path that the handler removes.
    private static let live = Atomic<UInt64>(0)

    /// Installs the handler for ``signals`` (each one that is not ignored). Idempotent.
    /// - Complexity: O(1).
    package static func install() {
        // Touch every global the handler reads, so that it never runs their one-time initialisation.
        _ = paths
        _ = claimed.load(ordering: .relaxed)
        _ = live.load(ordering: .relaxed)
        for s in signals {
            var old = sigaction()
            guard sigaction(s, nil, &old) == 0 else { continue }
            if isIgnored(old) { continue }
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = handler
            #else
            action.__sigaction_u.__sa_handler = handler
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            _ = sigaction(s, &action, nil)
        }
    }

    /// Registers `path` for removal on a stopping signal; returns its slot for ``unregister(_:)``, or nil
    /// when every slot is taken or the path is too long (the write then simply goes without cleanup).
    /// - Complexity: O(path length).
    package static func register(_ path: String) -> Int? {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < slotBytes, !bytes.contains(0) else { return nil }
        var word = claimed.load(ordering: .relaxed)
        var slot = -1
        while slot < 0 {
            let free = ~word
            guard free != 0 else { return nil }
            let i = free.trailingZeroBitCount
            guard i < slotCount else { return nil }
            let (exchanged, original) = claimed.compareExchange(expected: word, desired: word | (1 << i),
                                                                ordering: .acquiring)
            if exchanged { slot = i } else { word = original }
        }
        let start = paths + slot * slotBytes
        bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { start.update(from: $0.baseAddress!, count: $0.count) }
        }
        start[bytes.count] = 0
        live.bitwiseOr(1 << UInt64(slot), ordering: .releasing)
        return slot
    }

    /// Forgets a registered path (after its file was renamed or removed).
    package static func unregister(_ slot: Int?) {
        guard let slot, (0..<slotCount).contains(slot) else { return }
        live.bitwiseAnd(~(1 << UInt64(slot)), ordering: .releasing)
        claimed.bitwiseAnd(~(1 << UInt64(slot)), ordering: .releasing)
    }

    /// Removes every registered file (of the slots whose bits `mask` has): what the handler does before the
    /// process dies (async-signal-safe).
    /// - Complexity: O(``slotCount``) `unlink` calls at most.
    package static func removeRegistered(mask: UInt64 = .max) {
        let bits = live.load(ordering: .acquiring) & mask
        var i = 0
        while i < slotCount {
            if bits & (1 << UInt64(i)) != 0 { _ = unlink(paths + i * slotBytes) }
            i += 1
        }
    }

    private static let handler: @convention(c) (Int32) -> Void = { s in
        TerminationCleanup.removeRegistered()
        signal(s, SIG_DFL)
        raise(s)  // delivered when the handler returns: the process dies of `s`, as without a handler
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        #if canImport(Glibc)
        let h = action.__sigaction_handler.sa_handler
        #else
        let h = action.__sigaction_u.__sa_handler
        #endif
        return unsafeBitCast(h, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}
