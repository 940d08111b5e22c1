import CPETSc

/// The PETSc options database as the commands fill it: each solve sets its defaults (``set(_:)``), except those
/// the user named on the command line, which always win; ``clear(_:)`` removes a solve's defaults before the next
/// one sets its own. So every choice the tool makes stays overridable with the usual `-svd_…`, `-ksp_…` options.
enum PETScOptions {
    /// The options given on the command line (their names, with the dash).
    nonisolated(unsafe) static var userGiven: Set<String> = []

    /// Sets each `(name, value)` (value nil for a flag) not given by the user.
    static func set(_ defaults: [(String, String?)]) throws {
        for (name, value) in defaults where !userGiven.contains(name) {
            try PETScRuntime.check(PetscOptionsSetValue(nil, name, value), "PetscOptionsSetValue(\(name))")
        }
    }

    /// Removes the defaults `set` put in (the user's options stay).
    static func clear(_ defaults: [(String, String?)]) throws {
        for (name, _) in defaults where !userGiven.contains(name) {
            try PETScRuntime.check(PetscOptionsClearValue(nil, name), "PetscOptionsClearValue(\(name))")
        }
    }

    /// The defaults set while `body` runs.
    static func with<T>(_ defaults: [(String, String?)], _ body: () throws -> T) throws -> T {
        try set(defaults)
        defer { try? clear(defaults) }
        return try body()
    }

    /// Whether the user gave `name` on the command line.
    static func given(_ name: String) -> Bool { userGiven.contains(name) }

    /// The value of `name` in the options database (the user's, or a default set now), if any.
    static func value(_ name: String) -> String? {
        let size = 256
        var buffer = [CChar](repeating: 0, count: size)
        var set: PetscBool = PETSC_FALSE
        guard PetscOptionsGetString(nil, nil, name, &buffer, size, &set) == 0, set == PETSC_TRUE else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
