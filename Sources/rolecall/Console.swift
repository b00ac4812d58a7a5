import Foundation
import RolecallKit

/// The one way the command line prints: a command's output to standard output, its diagnostics to
/// standard error (sorted, as text), then the exit status.
struct Console {
    var colors: Colors

    /// Prints diagnostics to standard error.
    func report(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        let text = DiagnosticsRenderer(format: .text, color: colors.stderr).text(diagnostics.sortedForOutput())
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints one plain line to standard error.
    func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Prints text to standard output as is.
    func write(_ text: String) {
        print(text, terminator: "")
    }

    /// Prints a command's result and ends the process with its exit status.
    func end(with result: CommandResult) -> Never {
        for line in result.notes { note(line) }
        report(result.diagnostics)
        write(result.output)
        finish(result.exitCode, keeping: result)
    }
}

/// Ends the process while `values` are still alive. Freeing a large plan's objects one by one
/// (hundreds of thousands on a 100k-member org) takes longer than the OS takes to reclaim them at once.
func finish(_ code: Int32, keeping values: some Any) -> Never {
    withExtendedLifetime(values) { Foundation.exit(code) }
}
