import Foundation
@testable import RolecallKit
import Testing

/// Issue 13, items 5 (going back in time) and 16 (an honest audit log), end to end.
@Suite("evaluation instant and audit log end to end", .serialized)
struct AuditHardeningTests {
    private func lines(_ ws: Workspace, _ name: String = "rolecall.audit.jsonl") -> [String] {
        (ws.read(name) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast().map { $0 }
    }

    private func verify(_ ws: Workspace, _ name: String = "rolecall.audit.jsonl") throws -> Run {
        try Binary.run(["audit", "verify", "--audit-log", ws.path(name)], in: ws.url)
    }

    // MARK: item 5

    @Test func hardening5_applyEarlierThanTheStateIsRefusedUnlessBackdateIsAllowed() throws {
        let ws = try Workspace(["acme.yaml": acme])
        // At 2026-12-16 temp's staging grant (through 2026-12-15) has expired: it is never created.
        #expect(try ws.run(["apply", "m", "--auto-approve"], now: "2026-12-16T00:00:00Z").status == 0)
        let state = try #require(ws.read("rolecall.state.json"))
        #expect(state.contains("\"evaluated_at\": \"2026-12-16T00:00:00Z\""))
        #expect(!state.contains("member:temp@agency.io:admin@staging"))
        #expect(lines(ws).allSatisfy { $0.contains("\"evaluated_at\":\"2026-12-16T00:00:00Z\"") })

        // Back to 2026-11-23: the plan would re-grant the expired access.
        let back = try ws.run(["apply", "m", "--auto-approve"])
        #expect(back.status == 1)
        #expect(back.stderr.contains("before the state's last evaluation at 2026-12-16T00:00:00Z"))
        #expect(back.stderr.contains("--allow-backdate"))
        #expect(ws.read("rolecall.state.json") == state)
        // The same through a saved plan.
        #expect(try ws.run(["plan", "m", "--out", "plan.json"]).status == 0)
        let saved = try ws.run(["apply", "plan.json", "--auto-approve"])
        #expect(saved.status == 1)
        #expect(saved.stderr.contains("--allow-backdate"))
        #expect(ws.read("rolecall.state.json") == state)

        let allowed = try ws.run(["apply", "m", "--auto-approve", "--allow-backdate"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let after = try #require(ws.read("rolecall.state.json"))
        #expect(after.contains("member:temp@agency.io:admin@staging"))
        #expect(after.contains("\"evaluated_at\": \"2026-11-23T12:00:00Z\""))
        #expect(try #require(lines(ws).last).contains("\"evaluated_at\":\"2026-11-23T12:00:00Z\""))
    }

    // MARK: item 16

    @Test func hardening16_recordsAreChainedAndEveryTamperingIsFound() throws {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        let log = lines(ws)
        #expect(log.count == 11)
        #expect(log[0].contains("\"prev\":\"\""))
        #expect(log.dropFirst().allSatisfy { $0.range(of: #""prev":"[0-9a-f]{64}""#, options: .regularExpression) != nil })
        let good = try Binary.run(["audit", "verify", "--state", ws.path("rolecall.state.json")], in: ws.url)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("11 records, chain intact"))

        func tampered(_ edit: ([String]) -> [String], brokenAt line: Int) throws {
            try (edit(log).joined(separator: "\n") + "\n").write(toFile: ws.path("t.jsonl"), atomically: true, encoding: .utf8)
            let run = try verify(ws, "t.jsonl")
            #expect(run.status == 1)
            #expect(run.stderr.contains("t.jsonl:\(line): chain broken"), "\(run.stderr)")
        }
        try tampered({ l in var l = l; l[2] = l[2].replacingOccurrences(of: "\"result\":\"ok\"", with: "\"result\":\"no\""); return l }, brokenAt: 4)
        try tampered({ l in var l = l; l.remove(at: 4); return l }, brokenAt: 5)
        try tampered({ l in var l = l; l.swapAt(1, 2); return l }, brokenAt: 2)
        try tampered({ Array($0.dropFirst()) }, brokenAt: 1)
        try tampered({ l in var l = l; l.insert(#"{"action":"create","result":"ok"}"#, at: 3); return l }, brokenAt: 4)
    }

    @Test func hardening16_aLogWrittenBeforeChainingVerifiesAsUnchained() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let old = #"{"action":"create","actor":"ci","key":"a@b.io","kind":"member","org":"acme","reason":"added","result":"ok","time":"2026-11-01T00:00:00Z"}"#
        try (old + "\n" + old + "\n").write(toFile: ws.path("rolecall.audit.jsonl"), atomically: true, encoding: .utf8)
        let run = try verify(ws)
        #expect(run.status == 0)
        #expect(run.stderr.contains("warning[RC6011 audit-unchained]:"))
        // New records chain on from the old lines.
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        let chained = try verify(ws)
        #expect(chained.status == 0, "\(chained.stderr)")
        #expect(chained.stdout.contains("13 records (the first 2 written before chaining), chain intact"))
    }

    @Test func hardening16_aTornLastLineIsMarkedAndNeverGluedToTheNextRecord() throws {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        let torn = #"{"action":"create","actor":"ci","ke"#
        let handle = try #require(FileHandle(forWritingAtPath: ws.path("rolecall.audit.jsonl")))
        handle.seekToEndOfFile()
        handle.write(Data(torn.utf8))
        handle.closeFile()
        let before = try verify(ws)
        #expect(before.status == 0)
        #expect(before.stderr.contains("the last line is cut short"))

        try ws.write("acme.yaml", acme.replacingOccurrences(of: "{name: staging}", with: "{name: staging}, {name: dev}"))
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        let log = lines(ws)
        #expect(log.count == 14)
        #expect(log[11] == torn)
        #expect(log[12].contains("\"event\":\"repaired\""))
        #expect(log[13].contains("\"key\":\"dev\""))
        for (index, line) in log.enumerated() where index != 11 {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "line \(index + 1) is not JSON")
        }
        let after = try verify(ws)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stderr.contains("rolecall.audit.jsonl:12: a line cut short"))
        #expect(after.stdout.contains("12 records, chain intact"))
    }

    /// Runs the binary under `ulimit -f BLOCKS` (1 KiB blocks): writes past that size fail (EFBIG) as on a full disk.
    private func runLimited(_ ws: Workspace, blocks: Int, _ arguments: [String]) throws -> Run {
        try Binary.start(["-c", "ulimit -f \(blocks) && exec \"$0\" \"$@\"", Binary.url.path] + arguments + ["--now", "2026-11-23T12:00:00Z"],
                         in: ws.url, executable: "/bin/bash", stdout: .discard).finish()
    }

    private static func bigOrg(_ members: Int) -> String {
        "org: big\nsettings: {catalog: logrocket}\nmembers:\n  - {email: owner@big.io, role: owner, sso: true}\n"
            + (0..<members).map { "  - {email: user\($0)@big.io, role: member, name: User number \($0) with a long name}\n" }.joined()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash")))
    func hardening16_aFullDiskFailsTheRunAndTheLogAgreesWithTheState() throws {
        let ws = try Workspace(["big.yaml": Self.bigOrg(300)])
        // The audit records of the first apply (about 60 KB) do not fit in 8 KiB: the append is taken back,
        // the state is never written.
        let first = try runLimited(ws, blocks: 8, ["apply", "m", "--auto-approve"])
        #expect(first.status == 1)
        #expect(ws.read("rolecall.state.json") == nil)
        #expect((ws.read("rolecall.audit.jsonl") ?? "").isEmpty)

        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        let state = try #require(ws.read("rolecall.state.json"))
        #expect(state.utf8.count > 24 * 1024)
        // One more member: its records fit, the state (over 24 KiB) does not; the log says it was not saved.
        try ws.write("big.yaml", Self.bigOrg(301))
        let second = try runLimited(ws, blocks: 24, ["apply", "m", "--auto-approve", "--audit-log", "second.jsonl"])
        #expect(second.status == 1)
        #expect(ws.read("rolecall.state.json") == state)
        let log = lines(ws, "second.jsonl")
        #expect(log.count == 2, "\(log)")
        #expect(log.first?.contains("\"result\":\"ok\"") == true)
        #expect(log.last?.contains("\"result\":\"failed: applied but not saved in the state") == true)
        #expect(try verify(ws, "second.jsonl").status == 0)
    }
}
