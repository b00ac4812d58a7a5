import Foundation
import RolecallKit
import Testing

/// A large input makes rolecall start itself again with glibc's huge pages (`HugePages`,
/// `Relaunch.swift`). The second start must be invisible: same arguments, same output, same exit
/// status, same state written. (When it is not made, `GLIBC_TUNABLES` set by the user among the
/// reasons, is `HugePagesTests`'.)
@Suite("relaunch with huge pages", .serialized)
struct RelaunchTests {
    /// Whether this machine meets the conditions besides the input's size (Linux, glibc 2.35+,
    /// transparent huge pages in madvise mode, GLIBC_TUNABLES unset).
    private static var machineRelaunches: Bool {
        HugePages.shouldRelaunch(transparentHugePages: HugePages.kernelMode(), glibcVersion: HugePages.glibcVersion(),
                                 environment: ProcessInfo.processInfo.environment, inputBytes: .max)
    }

    /// A state file whose name needs quoting in a shell: the arguments must reach the second start as they were.
    private static let stateName = "state ü \"x\" $HOME.json"

    /// A workspace whose state is valid JSON padded with white space past 32 MiB, and whose
    /// manifests add 1,999 members, so the plan (over 64 KiB of text) fills the output pipe.
    private static func largeWorkspace() throws -> Workspace {
        let ws = try Workspace(["org.yaml": org(members: 1)])
        #expect(try ws.run(["apply", "m", "--auto-approve", "--state", stateName], environment: ["GLIBC_TUNABLES": ""]).status == 0)
        let state = URL(fileURLWithPath: ws.path(stateName))
        let handle = try FileHandle(forWritingTo: state)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0x0A, count: 33 << 20))
        try handle.close()
        try ws.write("org.yaml", org(members: 2000))
        return ws
    }

    private static func org(members: Int) -> String {
        var text = "org: big\nsettings: {catalog: logrocket}\napps: [{name: production}]\nmembers:\n"
        for i in 0..<members { text += "  - {email: user\(i)@example.com, name: User \(i), role: \(i == 0 ? "owner" : "member")}\n" }
        return text
    }

    @Test func aLargePlanStartsAgainWithHugePagesAndPrintsWhatItWouldHave() throws {
        let ws = try Self.largeWorkspace()
        let arguments = ["plan", "m", "--state", Self.stateName, "--detailed-exitcode", "--now", "2026-11-23T12:00:00Z"]
        // Started and left blocked on its full output pipe: its environment shows whether it started again.
        let child = try Binary.start(arguments, in: ws.url)
        if Self.machineRelaunches {
            // Only whether it is there: the environment itself (the test's, with any tokens) stays out of the log.
            var startedAgain = false
            let deadline = Date().addingTimeInterval(60)
            while !startedAgain, Date() < deadline {
                let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(child.pid)/environ"))) ?? Data()
                startedAgain = environment.split(separator: 0).contains(Data("GLIBC_TUNABLES=glibc.malloc.hugetlb=1".utf8))
                if !startedAgain { usleep(10_000) }
            }
            #expect(startedAgain, "the plan did not start again with huge pages")
        }
        let relaunched = child.finish()
        let plain = try Binary.run(arguments, in: ws.url, environment: ["GLIBC_TUNABLES": ""])
        #expect(relaunched.status == 2)
        #expect(relaunched.stdout.utf8.count > 64 << 10)
        #expect(relaunched.stdout.hasSuffix("Plan: 1999 to add, 0 to change, 0 to remove.\n"))
        #expect(relaunched.stdout == plain.stdout)
        #expect(relaunched.stderr == plain.stderr)
        #expect(relaunched.status == plain.status)
    }

    @Test func aLargeApplyStartsAgainAndWritesTheState() throws {
        let ws = try Self.largeWorkspace()
        let apply = try ws.run(["apply", "m", "--auto-approve", "--state", Self.stateName])
        #expect(apply.status == 0)
        #expect(apply.stdout.hasSuffix("Apply complete: 1999 changes applied; state serial 2.\n"))
        let state = try #require(ws.read(Self.stateName))
        #expect(state.contains("\"user1999@example.com\""))
        #expect(state.utf8.count < 4 << 20, "the state is written anew, without the padding")
        let again = try ws.run(["plan", "m", "--detailed-exitcode", "--state", Self.stateName])
        #expect(again.status == 0)
        #expect(again.stdout.hasSuffix("No changes.\n"))
    }
}
