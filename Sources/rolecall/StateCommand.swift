import ArgumentParser
import Foundation
import RolecallKit

struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Read, move and repair the recorded state (a file or a PostgreSQL state).",
        subcommands: [Accept.self, Pull.self, Push.self, List.self, Show.self, Remove.self]
    )

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "accept",
            abstract: "Record that a member accepted their invitation (the state file has no inbox).")

        @Argument(help: "The member's e-mail address.")
        var email: String

        @Option(name: .long, help: "The org the invitation is for.")
        var org: String

        @OptionGroup var stateOptions: StateOptions
        @OptionGroup var lock: LockOptions
        @OptionGroup var color: ColorOptions
        @OptionGroup var clock: ClockOptions

        func run() async throws {
            var request = AcceptRequest(email: email, org: org, backend: stateOptions.store, auditPath: stateOptions.auditPath)
            request.lockTimeout = lock.lockTimeout.value
            request.environment = ProcessInfo.processInfo.environment
            request.now = clock.date
            Console(colors: color.colors).end(with: Commands.accept(request))
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull",
            abstract: "Print the state as JSON, byte for byte the state file format (`> rolecall.state.json`).")

        @OptionGroup var stateOptions: StateOptions
        @OptionGroup var color: ColorOptions

        func run() async throws {
            Console(colors: color.colors).end(with: Commands.statePull(backend: stateOptions.store))
        }
    }

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            abstract: "Replace the state with a state file (moving a file's state to PostgreSQL: pull, then push).",
            discussion: "Refuses another lineage, or a serial not higher than the current one, unless --force.")

        @Argument(help: "A state file (as written by rolecall or `state pull`).")
        var file: String

        @OptionGroup var stateOptions: StateOptions
        @OptionGroup var lock: LockOptions
        @OptionGroup var color: ColorOptions

        @Flag(name: .long, help: "Replace the state even if the file is of another lineage or not newer.")
        var force = false

        func run() async throws {
            Console(colors: color.colors).end(with: Commands.statePush(
                file: file, backend: stateOptions.store, force: force, lockTimeout: lock.lockTimeout.value,
                environment: ProcessInfo.processInfo.environment))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the state names in a PostgreSQL database.")

        @OptionGroup var stateOptions: StateOptions
        @OptionGroup var color: ColorOptions

        func run() async throws {
            Console(colors: color.colors).end(with: Commands.stateList(backend: stateOptions.store))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the state's resources as a table (addresses as `state rm` takes them).")

        @OptionGroup var stateOptions: StateOptions
        @OptionGroup var color: ColorOptions

        @Option(name: .long, help: "Only this org.")
        var org: String?

        func run() async throws {
            Console(colors: color.colors).end(with: Commands.stateShow(backend: stateOptions.store, org: org))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Forget a resource in the state without touching the target (the next plan creates it again).",
            discussion: "ADDRESS is ORG/KIND/KEY as `state show` prints it, e.g. acme/member/jane@acme.com, "
                + "acme/team_membership/support/jane@acme.com, acme/settings.")

        @Argument(help: "ORG/KIND/KEY")
        var address: String

        @OptionGroup var stateOptions: StateOptions
        @OptionGroup var lock: LockOptions
        @OptionGroup var color: ColorOptions

        func run() async throws {
            Console(colors: color.colors).end(with: Commands.stateRemove(
                address: address, backend: stateOptions.store, lockTimeout: lock.lockTimeout.value,
                environment: ProcessInfo.processInfo.environment))
        }
    }
}
