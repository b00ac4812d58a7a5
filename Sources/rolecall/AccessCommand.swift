import ArgumentParser
import Foundation
import RolecallKit

extension AccessFormat: ExpressibleByArgument {}

struct AccessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Show what a person can do, or who can act on an app, and why.",
        discussion: """
            rolecall access jane@acme.com [DIR]          what Jane can do, per app, and why
            rolecall access --app production [DIR]       who can act on production
            rolecall access --app production --role admin | --permission sources.delete
            rolecall access --format csv [DIR]           members x apps, for auditors
            Add --state PATH to ask about the recorded state instead of the manifests.
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

    @Option(name: .long, help: ArgumentHelp("Answer from this state file instead of the manifests.", valueName: "path"))
    var state: String?

    @Option(name: .long, help: "Output format: text, json, markdown or csv.")
    var format: AccessFormat = .text

    @OptionGroup var clock: ClockOptions
    @OptionGroup var reading: ReadingOptions

    func validate() throws {
        if arguments.filter({ $0.contains("@") }).count > 1 { throw ValidationError("name one e-mail address at most") }
        if arguments.filter({ !$0.contains("@") }).count > 1 { throw ValidationError("name one folder at most") }
        if role != nil && permission != nil { throw ValidationError("use --role or --permission, not both") }
    }

    func run() throws {
        let now = clock.date
        let email = arguments.first { $0.contains("@") }
        let dir = arguments.first { !$0.contains("@") } ?? "."
        let resources: ResourceTable
        if let state {
            guard let recorded = try readState(FileStateStore(path: state)) else {
                report([.error(.noState, "no state at \(state)", at: nil)], color: false)
                throw ExitCode(1)
            }
            resources = recorded.resources
        } else {
            var loader = ManifestLoader(now: now)
            loader.reading = reading.options
            let loaded = loader.load(dir)
            report(loaded.diagnostics, color: colorAllowed(false, fd: STDERR_FILENO))
            guard let manifest = loaded.manifest else { throw ExitCode(1) }
            resources = ResourceTable(DesiredState(manifest, now: now).resources)
        }
        let query: AccessQuery
        if let email {
            query = .person(email: email)
        } else if app != nil || role != nil || permission != nil {
            query = .who(app: app, role: role, permission: permission)
        } else {
            query = .matrix
        }
        let people = AccessRenderer.select(EffectiveAccess.compute(resources, now: now), query)
        if case .person = query, people.isEmpty {
            report([.error(.notAMemberHere, "\(email ?? "") is not a member of any org here", at: nil)], color: false)
            throw ExitCode(1)
        }
        print(AccessRenderer(format: format).render(people, query: query), terminator: "")
    }
}
