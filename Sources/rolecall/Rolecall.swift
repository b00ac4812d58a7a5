import ArgumentParser
import CMalloc
import RolecallKit

@main
struct Rolecall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rolecall",
        abstract: "Declarative access-as-code: validate, plan and apply who may access what.",
        version: RolecallVersion.current,
        subcommands: [Validate.self, PlanCommand.self, ApplyCommand.self, ShowCommand.self, AccessCommand.self, ReportCommand.self, StateCommand.self,
                      AuditCommand.self, DriftCommand.self, ImportCommand.self, VersionCommand.self]
    )

    static func main() async {
        #if os(Linux)
        // Blocks of 1 MiB and more get pages of their own, returned when freed. By default glibc
        // raises that threshold to the largest block freed so far (the state file read, 26 MB on a
        // 100k-member org), after which big tables are carved from the heap and leave holes: the
        // peak memory of a no-op plan varied by 30 MiB from run to run; fixed, it is steady and lower.
        mallopt(M_MMAP_THRESHOLD, 1 << 20)
        // The heap grows 32 MiB at a time and keeps that much spare when memory is freed. With
        // glibc's 128 KiB, a no-op plan of a 100k-member org made about 18,000 calls that grow a heap
        // (mprotect and brk, each a system call and a change to the memory map; 7,900 with this
        // setting, as glibc pads only the main heap) and had a quarter more page faults; it took
        // about 7% longer. Peak memory grows by up to the spare amount.
        mallopt(M_TOP_PAD, 32 << 20)
        #endif
        // AsyncParsableCommand's own main, with one step between parsing and running: a large
        // input starts again with huge pages (Relaunch).
        do {
            var command = try await asyncParseAsRoot(nil)
            Relaunch.withHugePagesIfLarge(command)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// `rolecall version`: the same as `rolecall --version`.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print rolecall's version.")

    func run() async throws {
        print(RolecallVersion.current)
    }
}
