/// The profile's readers as pure functions of a file's text, so tests can feed them any text. Each returns nil
/// for text it cannot read (malformed, empty, out of range) rather than a guess; the caller falls back.
extension MachineProfile {
    // MARK: - CPUs

    /// cgroup v2 `cpu.max`, `"$QUOTA $PERIOD"` in µs: `⌈quota / period⌉` CPUs; nil for `max …` (no limit) or
    /// malformed text. `"150000 100000"` → 2, `"max 100000"` → nil.
    package static func parseCPUMax(_ text: String) -> Int? {
        let fields = words(text)
        guard fields.count == 2 || fields.count == 1, fields[0] != "max" else { return nil }
        return cpuLimit(quota: fields[0], period: fields.count == 2 ? fields[1] : "100000")
    }

    /// cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`: `⌈quota / period⌉` CPUs; nil for quota `-1` (no
    /// limit) or malformed text.
    package static func parseCFSQuota(quota: String, period: String) -> Int? {
        let q = words(quota), p = words(period)
        guard q.count == 1, p.count == 1 else { return nil }
        return cpuLimit(quota: q[0], period: p[0])
    }

    private static func cpuLimit(quota: Substring, period: Substring) -> Int? {
        guard let q = Int(quota), let p = Int(period), q > 0, p > 0 else { return nil }
        return (q + p - 1) / p
    }

    /// A kernel CPU list (`shared_cpu_list`, `/sys/devices/system/cpu/online`): `"0-3,8"` → `[0, 1, 2, 3, 8]`.
    /// Empty text is the empty list; nil for a malformed list or a range running backwards.
    package static func parseCPUList(_ text: String) -> [Int]? {
        let list = text.trimmingWhitespace
        guard !list.isEmpty else { return [] }
        var cpus: [Int] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let first = Int(bounds[0]), first >= 0,
                  let last = bounds.count == 2 ? Int(bounds[1]) : first, last >= first, last - first < 1 << 20
            else { return nil }
            cpus += first...last
        }
        return cpus
    }

    /// `/proc/cpuinfo`: the first `model name` line's value (x86); nil when there is none (aarch64) or it is empty.
    package static func parseModelName(_ cpuinfo: String) -> String? {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[line.index(after: colon)...]).trimmingWhitespace
            return name.isEmpty ? nil : name
        }
        return nil
    }

    /// `CONVALGEBRA_THREADS`: a positive decimal integer (surrounding blanks allowed), else nil.
    public static func parseThreads(_ text: String) -> Int? {
        guard let n = Int(text.trimmingWhitespace), n > 0 else { return nil }
        return n
    }

    // MARK: - Caches

    /// A sysfs cache size: `"32K"` → 32768, `"1024K"`, `"32M"`, `"1G"`, or plain bytes; nil when malformed,
    /// zero or too large for `Int`.
    package static func parseCacheSize(_ text: String) -> Int? {
        var digits = Substring(text.trimmingWhitespace)
        var unit = 1
        switch digits.last {
        case "K", "k": unit = 1 << 10
        case "M", "m": unit = 1 << 20
        case "G", "g": unit = 1 << 30
        default: break
        }
        if unit > 1 { digits = digits.dropLast() }
        guard digits.allSatisfy(\.isASCIIDigit), let n = Int(digits), n > 0 else { return nil }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }

    /// One `/sys/devices/system/cpu/cpuN/cache/indexM` directory, from its files' texts.
    package struct SysfsCache: Equatable {
        package var level: Int
        /// `Data`, `Instruction` or `Unified`.
        package var type: String
        package var bytes: Int
        package var lineBytes: Int?
        package var sharedBy: Int?
    }

    /// A sysfs cache entry from its `level`, `type`, `size`, `coherency_line_size` and `shared_cpu_list` texts;
    /// nil when the level, type or size is missing or malformed (the other two are optional).
    package static func parseCacheIndex(level: String?, type: String?, size: String?, lineSize: String?,
                                sharedCPUList: String?) -> SysfsCache? {
        guard let level = level.flatMap({ Int($0.trimmingWhitespace) }), level > 0,
              let type = type?.trimmingWhitespace, !type.isEmpty,
              let bytes = size.flatMap(parseCacheSize) else { return nil }
        let line = lineSize.flatMap { Int($0.trimmingWhitespace) }.flatMap { $0 > 0 ? $0 : nil }
        let shared = sharedCPUList.flatMap(parseCPUList).flatMap { $0.isEmpty ? nil : $0.count }
        return SysfsCache(level: level, type: type, bytes: bytes, lineBytes: line, sharedBy: shared)
    }

    /// The caches from what sysfs listed and what `sysconf` said (sizes in bytes, 0 or less = unknown).
    ///
    /// Each level takes sysfs (a `Data` or `Unified` entry of that level), else `sysconf`, else the assumed
    /// default. L3 is absent (nil) when sysfs or `sysconf` could be read but neither names one; it is assumed
    /// only when nothing at all was read.
    package static func caches(sysfs: [SysfsCache], sysconf: (l1d: Int, l2: Int, l3: Int, line: Int)) -> Caches {
        typealias Level = Caches.Level
        func fromSysfs(_ level: Int) -> SysfsCache? {
            sysfs.first { $0.level == level && ($0.type == "Data" || $0.type == "Unified") }
        }
        func level(_ n: Int, _ sysconfBytes: Int, assumed: Int?) -> Level? {
            if let s = fromSysfs(n) { return Level(bytes: s.bytes, source: .sysfs, sharedBy: s.sharedBy) }
            if sysconfBytes > 0 { return Level(bytes: sysconfBytes, source: .sysconf) }
            return assumed.map { Level(bytes: $0, source: .assumed) }
        }
        let readAnything = sysfs.contains { $0.type != "Instruction" }
            || [sysconf.l1d, sysconf.l2, sysconf.l3].contains { $0 > 0 }
        let l1d = level(1, sysconf.l1d, assumed: Caches.assumedL1d)!
        let l2 = level(2, sysconf.l2, assumed: Caches.assumedL2)!
        let l3 = level(3, sysconf.l3, assumed: readAnything ? nil : Caches.assumedL3)
        let sysfsLine = (fromSysfs(1) ?? sysfs.first { $0.lineBytes != nil })?.lineBytes
        let (line, lineSource): (Int, Caches.Source) = sysfsLine.map { ($0, .sysfs) }
            ?? (sysconf.line > 0 ? (sysconf.line, .sysconf) : (Caches.assumedLine, .assumed))
        return Caches(l1d: l1d, l2: l2, l3: l3, lineBytes: line, lineSource: lineSource)
    }

    // MARK: - Memory

    /// cgroup v2 `memory.max` or v1 `memory.limit_in_bytes`, in bytes; nil for `max`, for 2⁶² or more (v1 writes
    /// "unlimited" as 2⁶³ − 4096, page-rounded) and for malformed text.
    package static func parseMemoryLimit(_ text: String) -> Int? {
        let t = text.trimmingWhitespace
        guard t != "max", let n = UInt64(t), n < 1 << 62 else { return nil }
        return Int(n)
    }

    // MARK: - cgroups

    /// One line of `/proc/self/cgroup`: `hierarchy-id:controllers:path` (v2: `0::path`).
    package struct CgroupMembership: Equatable {
        package var hierarchy: Int
        package var controllers: [String]
        package var path: String
    }

    /// `/proc/self/cgroup`; malformed lines are skipped.
    package static func parseProcCgroup(_ text: String) -> [CgroupMembership] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3, let id = Int(f[0]), f[2].hasPrefix("/") else { return nil }
            return CgroupMembership(hierarchy: id, controllers: f[1].split(separator: ",").map(String.init),
                                    path: String(f[2]))
        }
    }

    /// A cgroup file system mount from `/proc/self/mountinfo`.
    package struct CgroupMount: Equatable {
        /// The cgroup this mount shows at its mount point (`/` unless a container mounted a sub-tree).
        package var root: String
        package var mountPoint: String
        /// `cgroup` (v1) or `cgroup2`.
        package var fsType: String
        /// v1: the controllers (`rw,cpu,cpuacct`).
        package var superOptions: [String]
    }

    /// The `cgroup` and `cgroup2` mounts of `/proc/self/mountinfo` (`id parent major:minor root mount-point
    /// options [optional…] - fstype source super-options`, `\040`-style escapes decoded).
    package static func parseCgroupMounts(_ mountinfo: String) -> [CgroupMount] {
        mountinfo.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard let dash = f.firstIndex(of: "-"), dash >= 6, f.count >= dash + 4,
                  f[dash + 1] == "cgroup" || f[dash + 1] == "cgroup2" else { return nil }
            return CgroupMount(root: unescapeOctal(f[3]), mountPoint: unescapeOctal(f[4]), fsType: String(f[dash + 1]),
                               superOptions: f[dash + 3].split(separator: ",").map(String.init))
        }
    }

    /// The directories holding this process's limits for `controller` (nil: the v2 unified hierarchy), from its
    /// cgroup up to the mount's root: a limit anywhere on that path applies. When `/proc/self/cgroup` names a
    /// path outside the mount's root (a container's view), only the mount point is searched.
    package static func cgroupDirectories(controller: String?, procCgroup: String, mountinfo: String) -> [String] {
        let memberships = parseProcCgroup(procCgroup), mounts = parseCgroupMounts(mountinfo)
        var result: [String] = []
        for mount in mounts {
            let membership: CgroupMembership?
            if let controller {
                guard mount.fsType == "cgroup", mount.superOptions.contains(controller) else { continue }
                membership = memberships.first { $0.hierarchy != 0 && $0.controllers.contains(controller) }
            } else {
                guard mount.fsType == "cgroup2" else { continue }
                membership = memberships.first { $0.hierarchy == 0 && $0.controllers.isEmpty }
            }
            guard let path = membership?.path else { continue }
            var relative: Substring = ""
            if mount.root == "/" {
                relative = Substring(path)
            } else if path == mount.root || path.hasPrefix(mount.root + "/") {
                relative = path.dropFirst(mount.root.count)
            }
            if relative.contains("/..") { relative = "" }
            var components = relative.split(separator: "/")
            while true {
                let base = mount.mountPoint == "/" ? "" : mount.mountPoint
                result.append(components.isEmpty ? mount.mountPoint : base + "/" + components.joined(separator: "/"))
                guard !components.isEmpty else { break }
                components.removeLast()
            }
        }
        return result
    }

    // MARK: - Text helpers

    private static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
    }

    private static func unescapeOctal(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = [], u = Array(field.utf8), i = 0
        while i < u.count {
            let octal = i + 3 < u.count ? u[(i + 1)...(i + 3)] : []
            if u[i] == UInt8(ascii: "\\"), octal.count == 3,
               octal.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }),
               let v = UInt8(String(decoding: octal, as: UTF8.self), radix: 8) {
                bytes.append(v)
                i += 4
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines (Foundation-free).
    fileprivate var trimmingWhitespace: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !blank($0) }), let end = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[start...end])
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
