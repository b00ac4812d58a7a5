import ArgumentParser
import Foundation
import RolecallKit

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
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

    @OptionGroup var output: FormatOptions<OutputFormat>
    @OptionGroup var color: ColorOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var reading: ReadingOptions

    func run() async throws {
        let console = Console(colors: color.colors)
        var request = ValidateRequest()
        request.folder = dir
        request.strict = strict
        request.format = output.format
        request.color = console.colors.stdout
        request.now = clock.date
        request.reading = reading.options
        console.end(with: Commands.validate(request))
    }
}
