import ArgumentParser
import RolecallKit

@main
struct Rolecall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rolecall",
        abstract: "Declarative access-as-code: validate, plan and apply who may access what.",
        version: RolecallVersion.current,
        subcommands: [Validate.self, PlanCommand.self, ApplyCommand.self, ShowCommand.self, AccessCommand.self, StateCommand.self]
    )
}
