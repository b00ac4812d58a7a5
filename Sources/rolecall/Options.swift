import ArgumentParser
import Foundation
import RolecallKit

extension OutputFormat: ExpressibleByArgument {}

/// Options shared by commands that print.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text, json or github (workflow annotations).")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Never colour the output (also: the NO_COLOR environment variable).")
    var noColor = false

    /// Colour only on a terminal, and never when NO_COLOR is set to anything.
    var color: Bool {
        !noColor && ProcessInfo.processInfo.environment["NO_COLOR", default: ""].isEmpty && isatty(STDOUT_FILENO) == 1
    }
}

/// `--now`: the instant expiries are compared with; the clock by default.
struct ClockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Evaluate expiries at this instant instead of the clock.", valueName: "rfc3339"))
    var now: Instant?

    var date: Date { now?.date ?? Date() }
}

struct Instant: ExpressibleByArgument {
    var date: Date

    init?(argument: String) {
        guard let date = RolecallKit.parseTimestamp(argument) else { return nil }
        self.date = date
    }
}
