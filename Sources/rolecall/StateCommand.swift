import ArgumentParser
import Foundation
import RolecallKit

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Read, move and repair the recorded state (a file or a PostgreSQL state).",
        subcommands: [Accept.self, Pull.self, Push.self, List.self, Show.self, Remove.self]
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
            let store = try stateOptions.open()
            let lock = try takeLock(store, timeout: lockTimeout)
            defer { lock.release() }
            let state = try requireState(store)
            let audit = stateOptions.auditPath.map { AuditLog(path: $0) }
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

    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the state as JSON, byte for byte the state file format (`> rolecall.state.json`).")

        @OptionGroup var stateOptions: StateOptions

        func run() throws {
            let state = try requireState(try stateOptions.open())
            FileHandle.standardOutput.write(StateCodec.encode(state))
        }
    }

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the state with a state file (moving a file's state to PostgreSQL: pull, then push).",
            discussion: "Refuses another lineage, or a serial not higher than the current one, unless --force.")

        @Argument(help: "A state file (as written by rolecall or `state pull`).")
        var file: String

        @OptionGroup var stateOptions: StateOptions

        @Flag(name: .long, help: "Replace the state even if the file is of another lineage or not newer.")
        var force = false

        @Option(name: .long, help: ArgumentHelp("Wait this long for the state lock.", valueName: "duration"))
        var lockTimeout = Seconds("0s")

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
            let pushed: State
            switch StateCodec.decode(data) {
            case let .success(state): pushed = state
            case let .failure(problem): fail("\(file): \(problem)")
            }
            let store = try stateOptions.open()
            let lock = try takeLock(store, timeout: lockTimeout)
            defer { lock.release() }
            let current = try readState(store)
            switch StateTools.push(pushed, over: current, force: force) {
            case let .failure(refusal): fail(refusal.description)
            case let .success(next):
                try write(next, replacing: current.flatMap(StateVersion.init(of:)), store: store, lock: lock)
                print("Pushed \(file) to \(store.location): lineage \(next.lineage), serial \(next.serial).")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the state names in a PostgreSQL database.")

        @OptionGroup var stateOptions: StateOptions

        func run() throws {
            guard let postgres = try stateOptions.open() as? PostgresStateBackend else {
                fail("state list needs a PostgreSQL state (--state postgres://...); \(stateOptions.path) is a file")
            }
            do {
                for name in try postgres.stateNames() { print(name) }
            } catch {
                fail(error.description)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the state's resources as a table (addresses as `state rm` takes them).")

        @OptionGroup var stateOptions: StateOptions

        @Option(name: .long, help: "Only this org.")
        var org: String?

        func run() throws {
            let state = try requireState(try stateOptions.open())
            print(StateTools.table(state, org: org), terminator: "")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Forget a resource in the state without touching the target (the next plan creates it again).",
            discussion: "ADDRESS is ORG/KIND/KEY as `state show` prints it, e.g. acme/member/jane@acme.com, "
                + "acme/team_membership/support/jane@acme.com, acme/settings.")

        @Argument(help: "ORG/KIND/KEY")
        var address: String

        @OptionGroup var stateOptions: StateOptions

        @Option(name: .long, help: ArgumentHelp("Wait this long for the state lock.", valueName: "duration"))
        var lockTimeout = Seconds("0s")

        func run() throws {
            guard let parsed = StateAddress(address) else {
                fail("'\(address)' is not an address: ORG/KIND/KEY, KIND one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let store = try stateOptions.open()
            let lock = try takeLock(store, timeout: lockTimeout)
            defer { lock.release() }
            let state = try requireState(store)
            guard let next = StateTools.remove(parsed, from: state) else { fail("no resource \(parsed) in state \(store.location)") }
            try write(next, replacing: StateVersion(of: state), store: store, lock: lock)
            print("Removed \(parsed) from the state (the target was not touched); state serial \(next.serial).")
        }
    }
}

private func fail(_ message: String) -> Never {
    report([.error(message, at: nil)], color: false)
    Foundation.exit(1)
}

/// The state, or exit 1 saying there is none.
private func requireState(_ store: any StateBackend) throws -> State {
    guard let state = try readState(store) else { fail("no state at \(store.location)") }
    return state
}

private func write(_ state: State, replacing version: StateVersion?, store: any StateBackend, lock: any StateLock) throws {
    do {
        try store.write(state, replacing: version, holding: lock)
    } catch {
        report([.error(error.description, at: nil)], color: false)
        throw ExitCode(1)
    }
}
