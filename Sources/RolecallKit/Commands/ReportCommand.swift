import Foundation

/// `rolecall report`.
public struct ReportRequest: Sendable {
    public var folder = "."
    /// The recorded state; when it holds nothing yet, the report shows the manifests' desired state.
    public var state: (any StateBackend)?
    /// The audit log for recent changes (nil: none).
    public var auditPath: String?
    public var format: ReportFormat = .html
    /// The file to write; nil: the report is the command's output.
    public var out: String?
    public var now = Date()
    public var reading = ReadOptions()

    public init() {}
}

public enum ReportFormat: String, Sendable, CaseIterable {
    case html
    case markdown
}

extension Commands {
    /// Builds the access review report from the manifests (reviews, externals), the state (who has
    /// what) and the audit log (recent changes), and writes it to `out` (0600 when new, an existing
    /// file's mode kept, never through a symbolic link) or returns it as output.
    public static func report(_ request: ReportRequest) -> CommandResult {
        var loader = ManifestLoader(now: request.now)
        loader.reading = request.reading
        let loaded = loader.load(request.folder)
        let warnings = loaded.diagnostics
        guard let manifest = loaded.manifest else { return CommandResult(diagnostics: warnings, exitCode: 1) }
        var resources = ResourceTable(DesiredState(manifest, now: request.now).resources)
        var source = "the manifests in \(request.folder) (no state)"
        if let backend = request.state {
            switch backend.readOrDiagnose() {
            case let .success(recorded?):
                resources = recorded.resources
                source = "the state \(backend.location) (serial \(recorded.serial))"
            case .success(nil): break
            case let .failure(problem): return CommandResult(diagnostics: warnings + [problem], exitCode: 1)
            }
        }
        var history: AuditHistory?
        if let path = request.auditPath, FileManager.default.fileExists(atPath: path) {
            do {
                history = try AuditHistory.read(path: path)
            } catch {
                return CommandResult(diagnostics: warnings + [error.diagnostic], exitCode: 1)
            }
        }
        let report = AccessReport(manifest: manifest, resources: resources, source: source, history: history,
                                  auditSource: history == nil ? nil : request.auditPath, now: request.now)
        let text = request.format == .html ? ReportHTML().render(report) : ReportMarkdown().render(report)
        guard let out = request.out else { return CommandResult(output: text, diagnostics: warnings) }
        if let problem = writeReport(text, to: out) {
            return CommandResult(diagnostics: warnings + [.error(.reportUnwritable, "cannot write report \(out): \(problem)", at: nil)], exitCode: 1)
        }
        return CommandResult(diagnostics: warnings)
    }

    /// Writes whole or not at all: a temporary file beside `path`, then a rename. A symbolic link at
    /// `path` is refused; an existing file's mode is kept.
    private static func writeReport(_ text: String, to path: String) -> String? {
        var info = stat()
        var existing: stat?
        if lstat(path, &info) == 0 {
            guard SafeFile.isRegular(info) else { return "it is not a regular file (a symbolic link is never followed)" }
            existing = info
        }
        do {
            let temporary = try SafeFile.writeTemporary(Data(text.utf8), beside: path, like: existing)
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                return reason
            }
            SafeFile.syncFolder(of: path)
            return nil
        } catch {
            return error.description
        }
    }
}
