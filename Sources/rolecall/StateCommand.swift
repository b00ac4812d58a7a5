import ArgumentParser
import Foundation
import RolecallKit

struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Record facts in the state that only the target knows.",
        subcommands: [Accept.self]
    )

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
}
