import ArgumentParser
import Foundation
import RolecallKit

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check manifests and report every problem with file, line and column.",
        discussion: """
            Reads every *.yaml and *.yml file under DIR. Exits 0 when the manifests are valid \
            (warnings allowed unless --strict) and 1 when they are not.
            """
    )

    @Argument(help: "Folder of manifests (or one manifest file).")
    var dir = "."

    @Flag(name: .long, help: "Treat warnings as errors.")
    var strict = false

    @OptionGroup var output: OutputOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var reading: ReadingOptions

    func run() throws {
        var loader = ManifestLoader(now: clock.date)
        loader.reading = reading.options
        let result = loader.load(dir)
        let report = ValidationReport(result, strict: strict)
        print(DiagnosticsRenderer(format: output.format, color: output.color).render(report), terminator: "")
        if !report.isValid { throw ExitCode(1) }
        finish(0, keeping: (result, report))
    }
}
