import ArgumentParser
import Foundation
import RolecallKit

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the audit log.",
        subcommands: [Verify.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that no line of the audit log was deleted, inserted, reordered or edited.",
            discussion: """
                Each record names the SHA-256 of the line before it (`prev`). Exit status: 0 when the chain \
                holds (a log written before chaining verifies as unchained, with a warning), 1 when it is \
                broken (the first bad line is named) or the log cannot be read.
                """
        )

        @OptionGroup var stateOptions: StateOptions

        @Option(name: .long, help: ArgumentHelp("Audit log (default: rolecall.audit.jsonl beside the state).", valueName: "path"))
        var auditLog: String?

        func run() throws {
            let log = AuditLog(path: auditLog ?? stateOptions.auditPath)
            let verdict: AuditVerdict
            do {
                verdict = try log.verify()
            } catch {
                report([.error(error.description, at: nil)], color: false)
                throw ExitCode(1)
            }
            switch verdict {
            case let .intact(records, unchainedPrefix, repaired, tornEnd):
                for line in repaired {
                    report([.warning("\(log.path):\(line): a line cut short by a failed write, marked by the line after it", at: nil)], color: false)
                }
                if tornEnd {
                    report([.warning("\(log.path): the last line is cut short (a failed write or a killed run); the next apply marks it", at: nil)],
                           color: false)
                }
                let before = unchainedPrefix > 0 ? " (the first \(unchainedPrefix) written before chaining)" : ""
                print("Audit log \(log.path): \(records) record\(records == 1 ? "" : "s")\(before), chain intact.")
            case let .unchained(records):
                report([.warning("\(log.path) is unchained (written before records were chained): its \(records) record"
                                 + "\(records == 1 ? "" : "s") cannot be verified", at: nil)], color: false)
            case let .broken(line, reason):
                report([.error("\(log.path):\(line): chain broken: \(reason)", at: nil)], color: false)
                throw ExitCode(1)
            }
        }
    }
}
