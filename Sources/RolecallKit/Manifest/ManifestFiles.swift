import Foundation

/// Finds manifest files: every `*.yaml` / `*.yml` below a folder, recursively, in a stable order.
/// Hidden files and folders (`.git`, `.github`) are skipped; symbolic links to folders are followed
/// once (a link loop is reported, never followed forever). A link that leads outside the folder is
/// refused unless `followSymlinks` (a pull request must not make CI read the host's files), and a
/// name that is not UTF-8 is reported as such. A file or folder whose path relative to the folder
/// matches an `exclude` pattern (fnmatch(3), `*` matching `/` too) is left out, folders with all they hold.
public struct ManifestFiles: Sendable {
    /// Paths as the user should see them: the folder as given, joined with the relative path.
    public var paths: [String]
    public var diagnostics: [Diagnostic]

    public static func find(in folder: String, followSymlinks: Bool = false, exclude: [String] = []) -> ManifestFiles {
        var result = ManifestFiles(paths: [], diagnostics: [])
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            result.diagnostics.append(.error(.noSuchPath, "no such file or folder: \(folder)", at: nil))
            return result
        }
        if !isDirectory.boolValue {
            if isManifestName(folder) {
                result.paths = [folder]
            } else {
                result.diagnostics.append(.error(.notAManifestPath, "\(folder) is not a folder or a .yaml/.yml file", at: nil))
            }
            return result
        }
        var walk = Walk(root: realPath(folder) ?? folder, followSymlinks: followSymlinks, exclude: exclude)
        walk.walk(folder, display: folder, relative: "")
        result = walk.result
        result.paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if result.paths.isEmpty && result.diagnostics.isEmpty {
            result.diagnostics.append(.error(.noManifestFiles, "no manifest files (*.yaml, *.yml) found in \(folder)", at: nil))
        }
        return result
    }

    static func isManifestName(_ path: String) -> Bool {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml")
    }

    static func isManifestName(_ bytes: [UInt8]) -> Bool {
        bytes.count > 4 && (bytes.suffix(5).elementsEqual(".yaml".utf8) || bytes.suffix(4).elementsEqual(".yml".utf8))
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// One walk of the folder tree, reading names as bytes (`readdir`), so a name that is not UTF-8
    /// is reported for what it is.
    private struct Walk {
        var root: String
        var followSymlinks: Bool
        var exclude: [String]
        var visited: Set<String> = []
        var result = ManifestFiles(paths: [], diagnostics: [])

        init(root: String, followSymlinks: Bool, exclude: [String]) {
            self.root = root
            self.followSymlinks = followSymlinks
            self.exclude = exclude
        }

        /// `relative`: the path from the manifest folder, what `exclude` patterns match.
        mutating func walk(_ path: String, display: String, relative: String) {
            let real = realPath(path) ?? path
            guard visited.insert(real).inserted else {
                error(.symlinkLoop, "folder \(display) is reached twice through symbolic links (a loop?); skipped")
                return
            }
            guard let dir = opendir(path) else {
                error(.unreadableFolder, "cannot read folder \(display): \(String(cString: strerror(errno)).lowercased())")
                return
            }
            var names: [[UInt8]] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
                if name.first != UInt8(ascii: ".") { names.append(name) }
            }
            closedir(dir)
            for bytes in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                visit(bytes, in: path, display: display, relative: relative)
            }
        }

        private func excluded(_ relative: String) -> Bool {
            exclude.contains { fnmatch($0, relative, 0) == 0 }
        }

        private mutating func visit(_ bytes: [UInt8], in path: String, display: String, relative: String) {
            guard let name = String(validating: bytes, as: UTF8.self) else {
                if isManifestName(bytes) {
                    error(.nonUTF8FileName, "cannot read \(join(display, escaped(bytes))): its name is not valid UTF-8; rename it")
                }
                return
            }
            let child = join(path, name)
            let childDisplay = join(display, name)
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            guard !excluded(childRelative) else { return }
            var link = stat()
            guard lstat(child, &link) == 0 else { return }
            var info = link
            if link.st_mode & S_IFMT == S_IFLNK {
                guard stat(child, &info) == 0, let target = realPath(child) else {
                    if isManifestName(name) { error(.brokenSymlink, "cannot read \(childDisplay): it is a broken symbolic link") }
                    return
                }
                let isFolder = info.st_mode & S_IFMT == S_IFDIR
                guard isFolder || isManifestName(name) else { return }
                if !followSymlinks, target != root, !target.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
                    error(.symlinkOutside, "\(childDisplay) is a symbolic link that leads outside the manifest folder; not followed "
                          + "(--follow-symlinks allows it)")
                    return
                }
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                walk(child, display: childDisplay, relative: childRelative)
            } else if isManifestName(name) {
                result.paths.append(childDisplay)
            }
        }

        private mutating func error(_ code: DiagnosticCode, _ message: String) {
            result.diagnostics.append(.error(code, message, at: nil))
        }

        private func join(_ folder: String, _ name: String) -> String {
            if folder == "." { return name }
            return folder.hasSuffix("/") ? folder + name : folder + "/" + name
        }

        /// The name with each byte that is not part of valid UTF-8 as `\xFF`.
        private func escaped(_ bytes: [UInt8]) -> String {
            var out = ""
            var i = 0
            while i < bytes.count {
                var length = 1
                while length <= 4, i + length <= bytes.count {
                    if let s = String(validating: bytes[i..<(i + length)], as: UTF8.self) {
                        out += s
                        break
                    }
                    length += 1
                }
                if length > 4 || i + length > bytes.count {
                    out += "\\x" + String(bytes[i], radix: 16, uppercase: true)
                    length = 1
                }
                i += length
            }
            return out
        }
    }
}
