import ArgumentParser
import Foundation
import RolecallKit
#if canImport(Glibc)
import Glibc
#endif

/// A command whose memory grows with what it reads: started again with huge pages when that is large.
protocol ReadsLargeInput {
    /// The manifest folder (or file) and the state file it reads; nil for none or not a file.
    var input: (manifests: String?, stateFile: String?) { get }
}

extension StateOptions {
    /// The state as a file to measure; nil for PostgreSQL.
    var file: String? { isPostgres ? nil : path }
}

extension PlanCommand: ReadsLargeInput { var input: (manifests: String?, stateFile: String?) { (dir, stateOptions.file) } }
extension ApplyCommand: ReadsLargeInput { var input: (manifests: String?, stateFile: String?) { (source, stateOptions.file) } }
extension DriftCommand: ReadsLargeInput { var input: (manifests: String?, stateFile: String?) { (dir, stateOptions.file) } }
extension ReportCommand: ReadsLargeInput { var input: (manifests: String?, stateFile: String?) { (folder, stateOptions.file) } }

enum Relaunch {
    /// Starts this program again, same arguments, with glibc's allocator on transparent huge pages,
    /// when `HugePages.shouldRelaunch` says it pays (see there for the figures). Runs before the
    /// command does anything: nothing is read, locked or written yet. If the start fails, the command
    /// goes on as it is.
    static func withHugePagesIfLarge(_ command: any ParsableCommand) {
        #if os(Linux) && canImport(Glibc)
        guard let reading = command as? any ReadsLargeInput else { return }
        let input = reading.input
        guard HugePages.shouldRelaunch(transparentHugePages: HugePages.kernelMode(), glibcVersion: HugePages.glibcVersion(),
                                       environment: ProcessInfo.processInfo.environment,
                                       inputBytes: HugePages.inputBytes(manifests: input.manifests, stateFile: input.stateFile)) else { return }
        setenv("GLIBC_TUNABLES", HugePages.tunables, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("GLIBC_TUNABLES")
        #endif
    }
}
