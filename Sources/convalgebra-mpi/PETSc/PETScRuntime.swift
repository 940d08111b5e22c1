import CPETSc
import ConvAlgebra

#if canImport(Glibc)
import Glibc
#endif

/// A PETSc or SLEPc call that returned an error code, or a collective step another process failed.
struct PETScError: Error, CustomStringConvertible {
    var description: String
}

/// The process's PETSc/SLEPc session: start-up with the command line's PETSc options, the communicator, this
/// process's rank, error checking of every call, and the collective agreement on a step's failure.
///
/// PETSc options are the words of the command line that start with one dash and a letter and are longer than
/// two characters (`-svd_tol 1e-12`, `-log_view`), each with the next word as its value unless that starts with
/// a dash and is not a number; everything else is the tool's own arguments (argument-parser's `--long` options).
enum PETScRuntime {
    /// The options split from `arguments` (the command line without the program name): PETSc's, and the rest.
    static func split(_ arguments: [String]) -> (petsc: [String], tool: [String]) {
        var petsc: [String] = [], tool: [String] = []
        var i = 0
        while i < arguments.count {
            let w = arguments[i]
            if isPETScOption(w) {
                petsc.append(w)
                if i + 1 < arguments.count, !arguments[i + 1].hasPrefix("-") || Double(arguments[i + 1]) != nil {
                    petsc.append(arguments[i + 1]); i += 1
                }
            } else {
                tool.append(w)
            }
            i += 1
        }
        return (petsc, tool)
    }

    static func isPETScOption(_ w: String) -> Bool {
        let c = Array(w)
        return c.count > 2 && c[0] == "-" && c[1].isLetter
    }

    /// SLEPc (and with it PETSc and MPI) started with `petscOptions` as its command line; the options the user
    /// named are remembered so that ``PETScOptions`` never overrides them.
    static func initialize(program: String, petscOptions: [String]) throws {
        var words = [program] + petscOptions
        var argc = Int32(words.count)
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: words.count + 1)
        for (i, w) in words.enumerated() { argv[i] = strdup(w) }
        argv[words.count] = nil
        var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        try check(SlepcInitialize(&argc, &pointer, nil, nil), "SlepcInitialize")
        // Errors come back as codes, turned into one `error:` line; PETSc prints no trace of its own.
        try check(PetscPushErrorHandler(PetscReturnErrorHandler, nil), "PetscPushErrorHandler")
        words.removeAll()
        PETScOptions.userGiven = Set(petscOptions.filter(isPETScOption))
    }

    static func finalize() { _ = SlepcFinalize() }

    static var comm: MPI_Comm { ca_petsc_comm_world() }

    static var rank: Int {
        var r: Int32 = 0
        MPI_Comm_rank(comm, &r)
        return Int(r)
    }

    static var size: Int {
        var s: Int32 = 1
        MPI_Comm_size(comm, &s)
        return Int(s)
    }

    /// Throws ``PETScError`` with PETSc's text for a non-zero `code`.
    static func check(_ code: PetscErrorCode, _ call: @autoclosure () -> String) throws {
        guard code != 0 else { return }
        var text: UnsafePointer<CChar>? = nil
        _ = PetscErrorMessage(code, &text, nil)
        throw PETScError(description: "\(call()) failed: \(text.map { String(cString: $0) } ?? "PETSc error \(code)")")
    }

    /// Runs `body` on every process, then agrees: when any process threw, every process throws the error of the
    /// lowest such rank (its message broadcast), so that no process goes on into a collective call the others
    /// have left. For steps that can fail on one process alone (reading its rows of a file).
    static func agreeing<T>(_ body: () throws -> T) throws -> T {
        var result: Result<T, Error>
        do { result = .success(try body()) } catch { result = .failure(error) }
        var failing = Int(size), mine = Int(size)
        if case .failure = result { mine = rank }
        MPI_Allreduce(&mine, &failing, 1, ca_mpi_long(), ca_mpi_min(), comm)
        guard failing < size else { return try result.get() }
        var bytes: [CChar] = []
        if case .failure(let e) = result, rank == failing { bytes = Array(String(describing: e).utf8CString) }
        var count = bytes.count
        MPI_Bcast(&count, 1, ca_mpi_long(), Int32(failing), comm)
        if bytes.count != count { bytes = [CChar](repeating: 0, count: count) }
        MPI_Bcast(&bytes, Int32(count), ca_mpi_char(), Int32(failing), comm)
        if case .failure(let e) = result, rank == failing { throw e }
        throw PETScError(description: String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// The sum over all processes.
    static func sum(_ x: Double) -> Double {
        var x = x, s = 0.0
        MPI_Allreduce(&x, &s, 1, ca_mpi_double(), ca_mpi_sum(), comm)
        return s
    }

    /// The largest value over all processes.
    static func maximum(_ x: Double) -> Double {
        var x = x, s = 0.0
        MPI_Allreduce(&x, &s, 1, ca_mpi_double(), ca_mpi_max(), comm)
        return s
    }

    /// The value of rank 0, on every process.
    static func broadcast(_ x: Int) -> Int {
        var x = x
        MPI_Bcast(&x, 1, ca_mpi_long(), 0, comm)
        return x
    }

    /// Every process's `x`, in rank order, on every process.
    static func gather(_ x: Double) -> [Double] {
        var x = x
        var all = [Double](repeating: 0, count: size)
        MPI_Allgather(&x, 1, ca_mpi_double(), &all, 1, ca_mpi_double(), comm)
        return all
    }

    static func barrier() { MPI_Barrier(comm) }

    /// Wall-clock seconds (MPI_Wtime).
    static var now: Double { MPI_Wtime() }

    /// The block `start ..< end` of `count` items that `rank` of `size` owns: PETSc's PETSC_DECIDE split, the
    /// first `count mod size` ranks holding one more.
    static func ownedRange(of count: Int, rank: Int = rank, size: Int = size) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// This process's peak resident set size in bytes (`getrusage`, Linux kibibytes).
    static var peakRSS: Int {
        var u = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &u)
        return u.ru_maxrss * 1024
    }
}
