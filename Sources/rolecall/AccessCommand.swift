import ArgumentParser
import Foundation
import RolecallKit

struct AccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Show what a person can do, or who can act on an app, and why.",
        discussion: """
            rolecall access jane@acme.com [DIR]          what Jane can do, per app, and why
            rolecall access --app production [DIR]       who can act on production
            rolecall access --app production --role admin | --permission sources.delete
            rolecall access --format csv [DIR]           members x apps, for auditors
            rolecall access jane@acme.com --at 2026-10-01 --state S    what Jane had that day, and on whose ticket
            Add --state PATH to ask about the recorded state instead of the manifests. An app, role or \
            permission that exists nowhere is an error (exit 1) with a did-you-mean.
            """
    )

    @Argument(help: "An e-mail address and/or a folder of manifests (default: .).")
    var arguments: [String] = []

    @Option(name: .long, help: "Ask who can act on this app.")
    var app: String?

    @Option(name: .long, help: "With --app (or alone, for the org): only people holding at least this role.")
    var role: String?

    @Option(name: .long, help: "With --app (or alone, for the org): only people with this permission.")
    var permission: String?

    @Option(name: .long, help: ArgumentHelp("Answer as of this past instant (RFC 3339, or a date: its start in UTC), from the audit log.",
                                            valueName: "instant"))
    var at: String?

    @Option(name: .long, help: ArgumentHelp("The audit log --at replays (default: rolecall.audit.jsonl beside the state).", valueName: "path"))
    var auditLog: String?

    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var output: FormatOptions<AccessFormat>
    @OptionGroup var color: ColorOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        if arguments.filter({ $0.contains("@") }).count > 1 { throw ValidationError("name one e-mail address at most") }
        if arguments.filter({ !$0.contains("@") }).count > 1 { throw ValidationError("name one folder at most") }
        if role != nil && permission != nil { throw ValidationError("use --role or --permission, not both") }
        if let at, parseInstantOrDate(at) == nil { throw ValidationError("--at takes an RFC 3339 timestamp or a date, found '\(at)'") }
    }

    func run() async throws {
        var request = AccessRequest()
        request.email = arguments.first { $0.contains("@") }
        request.folder = arguments.first { !$0.contains("@") } ?? "."
        request.app = app
        request.role = role
        request.permission = permission
        // Only a named state is read: by default access answers from the manifests.
        request.state = stateOptions.state == nil ? nil : stateOptions.store
        request.format = output.format
        request.now = clock.date
        request.reading = reading.options
        request.at = at.flatMap(parseInstantOrDate)
        request.auditPath = auditLog ?? stateOptions.auditPath
        Console(colors: color.colors).end(with: Commands.access(request))
    }
}
