import ArgumentParser
import CMalloc
import RolecallKit

@main
struct Rolecall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rolecall",
        abstract: "Declarative access-as-code: validate, plan and apply who may access what.",
        version: RolecallVersion.current,
        subcommands: [Validate.self, PlanCommand.self, ApplyCommand.self, ShowCommand.self, AccessCommand.self, StateCommand.self]
    )

    static func main() {
        #if os(Linux)
        // Blocks of 1 MiB and more get pages of their own, returned when freed. By default glibc
        // raises that threshold to the largest block freed so far (the state file read, 26 MB on a
        // 100k-member org), after which big tables are carved from the heap and leave holes: the
        // peak memory of a no-op plan varied by 30 MiB from run to run; fixed, it is steady and lower.
        mallopt(M_MMAP_THRESHOLD, 1 << 20)
        // Heaps grow 32 MiB at a time and keep that much spare when memory is freed. With glibc's
        // 128 KiB, the thread reading the state file grew its heap a few hundred times (a system
        // call and a change to the memory map each) and gave pages back only to fault them in
        // again: a no-op plan of a 100k-member org took about 7% longer, with a third more page
        // faults. Peak memory grows by up to the spare amount.
        mallopt(M_TOP_PAD, 32 << 20)
        #endif
        main(nil)
    }
}
