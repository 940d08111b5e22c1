import ConvAlgebra

/// The `--timings` JSON of a command: the matrix's size, the processes, each process's rows, stored entries and
/// peak resident set size (so a reader can check that no process held more than its rows), the assembly time
/// (the slowest process's), and the command's own fields. Gathered from every process; rank 0 writes the file.
struct RunReport {
    let matrix: DistributedMatrix
    let fields: [(String, String)]

    func write(to path: String) throws {
        let rows = PETScRuntime.gather(Double(matrix.rows.count)).map { String(Int($0)) }
        let entries = PETScRuntime.gather(Double(matrix.localEntries)).map { String(Int($0)) }
        let rss = PETScRuntime.gather(Double(PETScRuntime.peakRSS)).map { String(Int($0)) }
        let all: [(String, String)] = [
            ("ranks", String(PETScRuntime.size)),
            ("rows", String(matrix.rowCount)), ("columns", String(matrix.columnCount)),
            ("entries", entries.map { Int($0)! }.reduce(0, +).description),
            ("rows_per_rank", JSONText.array(rows)), ("entries_per_rank", JSONText.array(entries)),
            ("peak_rss_bytes_per_rank", JSONText.array(rss)),
            ("assembly_seconds", JSONText.number(matrix.seconds)),
        ] + fields
        try PETScRuntime.agreeing {
            guard PETScRuntime.rank == 0 else { return }
            let text = "{\n" + JSONText.members(all).map { "  " + $0 }.joined(separator: ",\n") + "\n}\n"
            try Array(text.utf8).withUnsafeBytes { try AtomicFile.write([$0], to: path) }
        }
    }
}
