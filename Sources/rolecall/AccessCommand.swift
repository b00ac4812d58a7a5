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

    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var output: FormatOptions<AccessFormat>
    @OptionGroup var color: ColorOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        if arguments.filter({ $0.contains("@") }).count > 1 { throw ValidationError("name one e-mail address at most") }
        if arguments.filter({ !$0.contains("@") }).count > 1 { throw ValidationError("name one folder at most") }
        if role != nil && permission != nil { throw ValidationError("use --role or --permission, not both") }
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
        Console(colors: color.colors).end(with: Commands.access(request))
    }
}
