import ArgumentParser
import Foundation
import RolecallKit

extension ReportFormat: ExpressibleByArgument {}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an access review report (HTML or Markdown): who has what and how, what expires, is due or changed.",
        discussion: """
            rolecall report DIR --state S --format html --out review.html
            One self-contained file: people x apps with each role and how it came, externals, pending invitations, \
            access expiring within 30 days, overdue reviews, API keys due for rotation, recent changes from the \
            audit log, and (HTML) a timeline of the next 90 days and a heat map of the matrix.
            """
    )

    @Argument(help: "The folder of manifests (default: .).")
    var folder = "."

    @Option(name: .long, help: "Report format.")
    var format: ReportFormat = .html

    @Option(name: .long, help: ArgumentHelp("Write the report to this file (default: standard output).", valueName: "file"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Audit log for recent changes (default: rolecall.audit.jsonl beside the state).", valueName: "path"))
    var auditLog: String?

    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var color: ColorOptions
    @OptionGroup var clock: ClockOptions
    @OptionGroup var reading: ReadingOptions

    func run() async throws {
        var request = ReportRequest()
        request.folder = folder
        request.state = stateOptions.store
        request.auditPath = auditLog ?? stateOptions.auditPath
        request.format = format
        request.out = out
        request.now = clock.date
        request.reading = reading.options
        Console(colors: color.colors).end(with: Commands.report(request))
    }
}
