import ConvAlgebraCore
import Foundation

/// The wisdom file: where it is, reading it (ignoring, with one warning line, a file that is not wisdom) and
/// writing it atomically (`AtomicFile`: a reader never sees half a file).
///
/// The path, first match wins: ``Planner/wisdomPath`` set by the library's user; `CONVALGEBRA_WISDOM`;
/// `$XDG_CACHE_HOME/convalgebra/wisdom.json`; `~/.cache/convalgebra/wisdom.json` (`$HOME`). An empty path
/// means no file: nothing is read or written.
public enum WisdomStore {
    /// The largest wisdom file read; a larger one is ignored (a few hundred bytes a plan: about 50 000 plans).
    public static let largestFile = 16 << 20

    /// The default path from the environment, nil when neither `CONVALGEBRA_WISDOM`, `XDG_CACHE_HOME` nor `HOME`
    /// gives one.
    public static func defaultPath(environment: (String) -> String? = { ProcessInfo.processInfo.environment[$0] }) -> String? {
        if let explicit = environment("CONVALGEBRA_WISDOM") { return explicit }
        if let xdg = environment("XDG_CACHE_HOME"), xdg.hasPrefix("/") { return xdg + "/convalgebra/wisdom.json" }
        if let home = environment("HOME"), !home.isEmpty { return home + "/.cache/convalgebra/wisdom.json" }
        return nil
    }

    /// The wisdom in `path`: empty when there is no file; when the file cannot be read, is not JSON, not
    /// wisdom, or of another version, empty too, and `warn` gets one line saying why. Entries that fail
    /// ``Wisdom/validated()`` are dropped silently.
    public static func load(_ path: String, warn: (String) -> Void) -> Wisdom {
        guard !path.isEmpty else { return Wisdom() }
        do {
            guard let bytes = try SystemIO.contents(of: path, limit: largestFile) else { return Wisdom() }
            let decoded = try JSONDecoder().decode(Wisdom.self, from: Data(bytes))
            guard let valid = decoded.validated() else {
                warn("warning: ignoring the wisdom file '\(path)': not version \(Wisdom.currentVersion) of \(Wisdom.formatName)")
                return Wisdom()
            }
            return valid
        } catch let error as ConvAlgebraError {
            warn("warning: ignoring the wisdom file: \(error)")
        } catch {
            warn("warning: ignoring the wisdom file '\(path)': it is not valid wisdom JSON")
        }
        return Wisdom()
    }

    /// Adds `wisdom` to what `path` holds now (another process may have written it meanwhile) and writes the
    /// result atomically, creating the directories on the way.
    /// - Throws: ``ConvAlgebraError/io(_:)`` when the directory or the file cannot be written.
    public static func save(_ wisdom: Wisdom, to path: String) throws {
        guard !path.isEmpty else { return }
        let merged = load(path, warn: { _ in }).merging(wisdom)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(merged)
        try makeDirectories(containing: path)
        try data.withUnsafeBytes { try AtomicFile.write([$0], to: path) }
    }

    /// `mkdir -p` of `path`'s directory.
    private static func makeDirectories(containing path: String) throws {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ConvAlgebraError.io("cannot create the directory '\(directory)' for the wisdom file")
        }
    }
}
