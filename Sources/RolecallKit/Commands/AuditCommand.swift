import Foundation

extension Commands {
    /// `rolecall audit verify`: checks that no line of the audit log at `path` was deleted, inserted,
    /// reordered or edited (each record names the SHA-256 of the line before it). Exit 0 when the chain
    /// holds (a log written before chaining verifies as unchained, with a warning), 1 when it is broken
    /// (the first bad line is named) or the log cannot be read.
    public static func verifyAudit(path: String) -> CommandResult {
        let log = AuditLog(path: path)
        let verdict: AuditVerdict
        do {
            verdict = try log.verify()
        } catch {
            return .failure(.auditUnreadable, error.description)
        }
        switch verdict {
        case let .intact(records, unchainedPrefix, repaired, tornEnd):
            var warnings = repaired.map {
                Diagnostic.warning(.auditLineTorn, "\(path):\($0): a line cut short by a failed write, marked by the line after it", at: nil)
            }
            if tornEnd {
                warnings.append(.warning(.auditLineTorn, "\(path): the last line is cut short (a failed write or a killed run); the next apply marks it", at: nil))
            }
            let before = unchainedPrefix > 0 ? " (the first \(unchainedPrefix) written before chaining)" : ""
            return CommandResult(output: "Audit log \(path): \(plural(records, "record"))\(before), chain intact.\n", diagnostics: warnings)
        case let .unchained(records):
            return CommandResult(diagnostics: [.warning(.auditUnchained, "\(path) is unchained (written before records were chained): its "
                                                        + "\(plural(records, "record")) cannot be verified", at: nil)])
        case let .broken(line, reason):
            return .failure(.auditChainBroken, "\(path):\(line): chain broken: \(reason)")
        }
    }
}
