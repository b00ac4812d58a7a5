import Foundation

/// Finds manifest files: every `*.yaml` / `*.yml` below a folder, recursively, in a stable order.
/// Hidden files and folders (`.git`, `.github`) are skipped; symbolic links to folders are followed
/// once (a link loop is reported, never followed forever).
public struct ManifestFiles: Sendable {
    /// Paths as the user should see them: the folder as given, joined with the relative path.
    public var paths: [String]
    public var diagnostics: [Diagnostic]

    public static func find(in folder: String) -> ManifestFiles {
        var result = ManifestFiles(paths: [], diagnostics: [])
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            result.diagnostics.append(.error("no such file or folder: \(folder)", at: nil))
            return result
        }
        if !isDirectory.boolValue {
            if isManifestName(folder) {
                result.paths = [folder]
            } else {
                result.diagnostics.append(.error("\(folder) is not a folder or a .yaml/.yml file", at: nil))
            }
            return result
        }
        var visited: Set<String> = []
        walk(folder, display: folder, visited: &visited, into: &result)
        result.paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if result.paths.isEmpty && result.diagnostics.isEmpty {
            result.diagnostics.append(.error("no manifest files (*.yaml, *.yml) found in \(folder)", at: nil))
        }
        return result
    }

    static func isManifestName(_ path: String) -> Bool {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml")
    }

    private static func join(_ folder: String, _ name: String) -> String {
        if folder == "." { return name }
        return folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    private static func walk(_ path: String, display: String, visited: inout Set<String>, into result: inout ManifestFiles) {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard visited.insert(real).inserted else {
            result.diagnostics.append(.error("folder \(display) is reached twice through symbolic links (a loop?); skipped", at: nil))
            return
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            result.diagnostics.append(.error("cannot read folder \(display): \(reason(error))", at: nil))
            return
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let child = join(path, name)
            let childDisplay = join(display, name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: child, isDirectory: &isDirectory) else {
                if isManifestName(name) {
                    result.diagnostics.append(.error("cannot read \(childDisplay): it is a broken symbolic link", at: nil))
                }
                continue
            }
            if isDirectory.boolValue {
                walk(child, display: childDisplay, visited: &visited, into: &result)
            } else if isManifestName(name) {
                result.paths.append(childDisplay)
            }
        }
    }

    static func reason(_ error: Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError,
           let posix = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(posix.rawValue))
        }
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileReadNoPermission: return "permission denied"
            case .fileReadNoSuchFile: return "no such file"
            default: break
            }
        }
        return error.localizedDescription
    }
}
