import ArgumentParser
import Foundation
import RolecallKit

/// `rolecall drift DIR --state S`: reads each org's target and reports what was changed outside rolecall.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Report changes made on the targets (SCIM servers) outside rolecall.",
        discussion: "Exit status: 0 no drift, 2 drift found, 1 error. For cron and CI."
    )

    @Argument(help: "Folder of manifests.")
    var dir = "."

    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var color: ColorOptions

    func run() async throws {
        let console = Console(colors: color.colors)
        let setup = await TargetSetup.prepare(folder: dir, backend: stateOptions.store, options: PlanOptions(now: clock.date),
                                              reading: reading.options, environment: ProcessInfo.processInfo.environment, refresh: true)
        if !setup.diagnostics.isEmpty { console.end(with: CommandResult(diagnostics: setup.diagnostics, exitCode: 1)) }
        if setup.scimOrgs.isEmpty {
            console.end(with: CommandResult(output: "No org in \(dir) has a target: nothing to compare.\n"))
        }
        if setup.drift.isEmpty {
            console.end(with: CommandResult(output: "No drift: the targets match the state.\n"))
        }
        console.end(with: CommandResult(output: DriftItem.render(setup.drift), exitCode: 2))
    }
}

/// `rolecall import scim --url URL --token-env VAR --org ORG --out DIR`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Adopt an org that exists on a target: write manifests and a matching state.",
        discussion: "The next plan against the same target says \"No changes.\"."
    )

    @Argument(help: "The kind of target (scim).")
    var kind: String

    @Option(name: .long, help: "The SCIM base URL (e.g. https://scim.example.com/v2).")
    var url: String

    @Option(name: .long, help: "The environment variable holding the bearer token.")
    var tokenEnv: String

    @Option(name: .long, help: "The org name for the manifests.")
    var org: String

    @Option(name: .long, help: "Folder to write the manifests to.")
    var out: String

    @Option(name: .long, help: "How the server holds roles: groups or roles.")
    var rolesAs = "groups"

    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var color: ColorOptions

    func run() async throws {
        let console = Console(colors: color.colors)
        guard kind == "scim" else { console.end(with: .failure(.importFailed, "unknown target kind '\(kind)'; rolecall imports from: scim")) }
        guard let rolesAs = TargetSettings.RolesAs(rawValue: self.rolesAs) else { console.end(with: .failure(.importFailed, "--roles-as takes groups or roles")) }
        guard let token = ProcessInfo.processInfo.environment[tokenEnv], !token.isEmpty else {
            console.end(with: .failure(.importFailed, "the token variable \(tokenEnv) is not set"))
        }
        var settings = TargetSettings(url: url, tokenEnv: tokenEnv)
        settings.rolesAs = rolesAs
        let importer = ScimImport(org: org, settings: settings, client: TargetSetup.httpClient(url, token))
        let imported: ScimImport.Imported
        do {
            imported = try await importer.read()
        } catch {
            console.end(with: .failure(.importFailed, "reading \(url) failed: \(error)"))
        }
        let diagnostics = importer.write(imported, to: out, statePath: stateOptions.path, now: clock.date)
        let failed = diagnostics.contains { $0.severity == .error }
        let output = failed ? "" : "Imported \(imported.members.count) members and \(imported.teams.count) teams into \(out); state \(stateOptions.path).\n"
        console.end(with: CommandResult(output: output, diagnostics: diagnostics, exitCode: failed ? 1 : 0))
    }
}
