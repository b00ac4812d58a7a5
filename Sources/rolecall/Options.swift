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

/// How manifests are read: `--max-file-size`, `--follow-symlinks`.
struct ReadingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Refuse manifest files larger than this (bytes; K, M or G suffix).",
                                            valueName: "size"))
    var maxFileSize = ByteCount(ReadOptions.defaultMaxFileSize)

    @Flag(name: .long, help: "Follow manifest symbolic links that lead outside the manifest folder.")
    var followSymlinks = false

    var options: ReadOptions { ReadOptions(maxFileSize: maxFileSize.bytes, followSymlinks: followSymlinks) }
}

/// A size such as `1048576`, `512K`, `64M` or `1G` (binary units).
struct ByteCount: ExpressibleByArgument {
    var bytes: Int

    init(_ bytes: Int) {
        self.bytes = bytes
    }

    init?(argument: String) {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let unit = argument.last.flatMap { units[Character($0.uppercased())] }
        guard let n = Int(unit == nil ? argument : String(argument.dropLast())), n > 0 else { return nil }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: unit ?? 1)
        guard !overflow else { return nil }
        self.bytes = bytes
    }

    var defaultValueDescription: String { bytes % (1 << 20) == 0 ? "\(bytes >> 20)M" : "\(bytes)" }
}
