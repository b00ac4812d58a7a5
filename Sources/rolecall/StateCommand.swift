import ArgumentParser
import Foundation
import RolecallKit

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Record facts in the state that only the target knows.",
        subcommands: [Accept.self]
    )

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a member accepted their invitation (the state file has no inbox).")

        @Argument(help: "The member's e-mail address.")
        var email: String

        @Option(name: .long, help: "The org the invitation is for.")
        var org: String

        @OptionGroup var stateOptions: StateOptions

        @Option(name: .long, help: ArgumentHelp("Wait this long for the state lock.", valueName: "duration"))
        var lockTimeout = Seconds("0s")

        func run() throws {
            let store = stateOptions.store
            let lock = try takeLock(store, timeout: lockTimeout)
            defer { lock.release() }
            guard let state = try readState(store) else {
                report([.error(.noState, "no state at \(stateOptions.path)", at: nil)], color: false)
                throw ExitCode(1)
            }
            let audit = AuditLog(path: stateOptions.auditPath)
            switch Workflow.accept(email: email, org: org, state: state, backend: store, lock: lock, audit: audit,
                                   actor: Workflow.actor(environment: ProcessInfo.processInfo.environment), now: Date()) {
            case .success(nil):
                print("\(email.lowercased()) is already active in org '\(org)'; nothing to record.")
            case let .success(recorded?):
                print("Recorded: \(email.lowercased()) accepted the invitation to org '\(org)'; state serial \(recorded.serial).")
            case let .failure(problem):
                report([problem], color: false)
                throw ExitCode(1)
            }
        }
    }
}
