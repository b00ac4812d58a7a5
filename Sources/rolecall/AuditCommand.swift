import ArgumentParser
import Foundation
import RolecallKit

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the audit log.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check that no line of the audit log was deleted, inserted, reordered or edited.",
            discussion: """
                Each record names the SHA-256 of the line before it (`prev`). Exit status: 0 when the chain \
                holds (a log written before chaining verifies as unchained, with a warning), 1 when it is \
                broken (the first bad line is named) or the log cannot be read.
                """
        )

        @OptionGroup var stateOptions: StateOptions
        @OptionGroup var color: ColorOptions

        @Option(name: .long, help: ArgumentHelp("Audit log (default: rolecall.audit.jsonl beside the state).", valueName: "path"))
        var auditLog: String?

        func run() async throws {
            let console = Console(colors: color.colors)
            guard let path = auditLog ?? stateOptions.auditPath else {
                console.end(with: .failure(.auditUnreadable, "a PostgreSQL state keeps its audit records in its rolecall_audit table, written in the "
                                           + "state's own transactions; name a file with --audit-log"))
            }
            console.end(with: Commands.verifyAudit(path: path))
        }
    }
}
