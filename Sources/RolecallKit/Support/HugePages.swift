import Foundation

/// When a run is worth starting again with glibc's allocator on transparent huge pages.
///
/// A no-op plan of a 100k-member org touches about 280 MB of fresh memory: 70,000 pages of 4 KiB,
/// each a page fault, a fifth of its CPU time in the kernel. With glibc's `glibc.malloc.hugetlb=1`
/// the allocator asks the kernel for 2 MiB pages where it can (madvise): 17,000-19,000 faults, and
/// the plan took 0.955x the median wall time and 0.943x the CPU time (medians of five sets of 31-61
/// alternating runs, `Benchmarks/ab.py`, 2026-12-02; the sets ranged 0.931x-0.997x), for 3-5% more
/// peak memory. glibc reads that setting only from `GLIBC_TUNABLES` as a process starts, so the
/// command line starts itself again, once, with it set (`Sources/rolecall/Relaunch.swift`). That
/// costs about 4 ms, a tenth of a small org's plan, hence the floor on the input's size: 32 MiB of
/// manifests and state is about a 70k-member org; at 80k members (38 MB) a no-op plan took 0.96x
/// the median wall time, 16 ms less (41 alternating runs).
///
/// This type decides and reads the machine's side of it; the second start is the command line's.
public enum HugePages {
    /// Manifests plus state file below this size run as they are.
    public static let minimumInputBytes = 32 << 20
    /// What `GLIBC_TUNABLES` is set to for the second start.
    public static let tunables = "glibc.malloc.hugetlb=1"

    /// Whether to start again with `tunables`: the kernel gives huge pages on request only
    /// (`madvise` mode: in `always` mode it gives them anyway, in `never` mode not at all), glibc
    /// knows the setting (2.35 and later), `GLIBC_TUNABLES` is unset (a user's own tunables are
    /// kept, and a process started again finds it set), and the input is large.
    /// - Parameters:
    ///   - transparentHugePages: the text of `/sys/kernel/mm/transparent_hugepage/enabled`
    ///     (`always [madvise] never`), nil when unreadable.
    ///   - glibcVersion: glibc's version, such as `2.36`.
    ///   - inputBytes: asked for last, only when everything else holds (it walks the manifest folder).
    public static func shouldRelaunch(transparentHugePages: String?, glibcVersion: String,
                                      environment: [String: String], inputBytes: @autoclosure () -> Int) -> Bool {
        guard environment["GLIBC_TUNABLES"] == nil, transparentHugePages?.contains("[madvise]") == true else { return false }
        let parts = glibcVersion.split(separator: ".").map { Int($0) ?? 0 }
        guard parts.count >= 2, parts[0] > 2 || (parts[0] == 2 && parts[1] >= 35) else { return false }
        return inputBytes() >= minimumInputBytes
    }

    /// The kernel's transparent huge pages mode, as `/sys/kernel/mm/transparent_hugepage/enabled`
    /// shows it (`always [madvise] never`); nil where there is no such file.
    public static func kernelMode() -> String? {
        try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)
    }

    /// glibc's version (`2.36`, from confstr's `glibc 2.36`); empty without glibc.
    public static func glibcVersion() -> String {
        #if canImport(Glibc)
        var buffer = [CChar](repeating: 0, count: 64)
        guard confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count) > 0 else { return "" }
        return String(cString: buffer).split(separator: " ").last.map(String.init) ?? ""
        #else
        return ""
        #endif
    }

    /// The bytes a command will read: the manifest files under a folder (or the file itself), and
    /// a state file; a path that is missing, unreadable or a URL counts nothing.
    public static func inputBytes(manifests: String?, stateFile: String?) -> Int {
        var total = 0
        if let manifests {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: manifests, isDirectory: &isFolder), isFolder.boolValue {
                for path in ManifestFiles.find(in: manifests).paths { total += size(of: path) }
            } else {
                total += size(of: manifests)
            }
        }
        if let stateFile { total += size(of: stateFile) }
        return total
    }

    private static func size(of path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return 0 }
        return Int(info.st_size)
    }
}
