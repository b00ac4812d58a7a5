import ArgumentParser
import Foundation
import RolecallKit

/// `--refresh`: whether plan and apply read each org's target (a SCIM server) first.
struct TargetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read each org's target (SCIM server) before planning; --refresh=false plans from the state alone.",
                                            valueName: "bool"))
    var refresh = true

    /// The target and the (refreshed) state for the manifests in `folder`; a target that cannot be
    /// reached ends the command with exit status 1. The "changed outside rolecall" section is printed
    /// first when `showDrift`.
    func setUp(folder: String, backend: any StateBackend, options: PlanOptions, reading: ReadOptions, console: Console,
               showDrift: Bool) async -> TargetSetup {
        if Commands.isPlanFile(folder) {
            if let problem = TargetSetup.checkPlanFile(backend: backend) { console.end(with: CommandResult(diagnostics: [problem], exitCode: 1)) }
            return TargetSetup(backend: backend, target: RecordOnlyTarget())
        }
        let setup = await TargetSetup.prepare(folder: folder, backend: backend, options: options, reading: reading,
                                              environment: ProcessInfo.processInfo.environment, refresh: refresh)
        if !setup.diagnostics.isEmpty { console.end(with: CommandResult(diagnostics: setup.diagnostics, exitCode: 1)) }
        if showDrift { console.write(DriftItem.render(setup.drift)) }
        return setup
    }
}
