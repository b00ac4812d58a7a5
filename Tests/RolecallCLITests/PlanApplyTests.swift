import Foundation
import Testing

/// A scratch folder with manifests, removed afterwards.
final class Workspace {
    let url: URL

    init(_ files: [String: String] = [:]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("m"), withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: url.appendingPathComponent("m/" + name), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func read(_ name: String) -> String? { try? String(contentsOf: url.appendingPathComponent(name), encoding: .utf8) }

    func run(_ arguments: [String], now: String = "2026-11-23T12:00:00Z", environment: [String: String] = [:]) throws -> Run {
        try Binary.run(arguments + ["--now", now], in: url, environment: environment)
    }
}

let acme = """
    org: acme
    settings: {catalog: logrocket, invitation_ttl: 90d}
    apps: [{name: production}, {name: staging}]
    members:
      - {email: owner@acme.com, role: owner, sso: true}
      - {email: jane@acme.com, role: member}
      - {email: temp@agency.io, role: member, expires: 2026-12-31, ticket: IAM-7}
    teams:
      - {name: support, members: [jane@acme.com, temp@agency.io], roles: [{role: viewer, app: production}]}
    grants:
      - {member: temp@agency.io, role: admin, app: staging, expires: 2026-12-15, ticket: IAM-8}

    """

@Suite("plan and apply", .serialized)
struct PlanApplyTests {
    @Test func firstApplyCreatesEverythingAndTheSecondPlanIsEmpty() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let plan = try ws.run(["plan", "m", "--detailed-exitcode"])
        #expect(plan.status == 2)
        #expect(plan.stdout.hasSuffix("Plan: 11 to add, 0 to change, 0 to remove.\n"))
        #expect(ws.read("rolecall.state.json") == nil, "plan must not write state")

        let apply = try ws.run(["apply", "m", "--auto-approve"], environment: ["ROLECALL_ACTOR": "ci-bot"])
        #expect(apply.status == 0)
        #expect(apply.stdout.hasSuffix("Apply complete: 11 changes applied; state serial 1.\n"))
        let state = try #require(ws.read("rolecall.state.json"))
        #expect(state.contains("\"serial\": 1"))
        #expect(state.contains("\"member:temp@agency.io:admin@staging\""))
        #expect(ws.read("rolecall.state.json.backup") == nil)
        let audit = try #require(ws.read("rolecall.audit.jsonl")).split(separator: "\n")
        #expect(audit.count == 11)
        #expect(audit.allSatisfy { $0.contains("\"actor\":\"ci-bot\"") && $0.contains("\"result\":\"ok\"") })

        let again = try ws.run(["plan", "m", "--detailed-exitcode"])
        #expect(again.status == 0)
        #expect(again.stdout.hasSuffix("No changes.\n"))
    }

    @Test func removingAMemberRemovesThemAndTheirMembershipsInOrder() throws {
        let ws = try Workspace(["acme.yaml": acme])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "  - {email: jane@acme.com, role: member}\n", with: "")
            .replacingOccurrences(of: "[jane@acme.com, temp@agency.io]", with: "[temp@agency.io]"))
        let plan = try ws.run(["plan", "m"])
        let lines = plan.stdout.split(separator: "\n").filter { $0.hasPrefix("  - ") }
        #expect(lines == ["  - team membership support/jane@acme.com  (removed from manifests)  declared at m/acme.yaml:9:31",
                          "  - member jane@acme.com  (removed from manifests; pending invitation cancelled)  declared at m/acme.yaml:6:5"])
        let apply = try ws.run(["apply", "m", "--auto-approve"])
        #expect(apply.status == 0)
        #expect(try #require(ws.read("rolecall.state.json")).contains("jane@acme.com") == false)
        #expect(ws.read("rolecall.state.json.backup")?.contains("jane@acme.com") == true)
    }

    @Test func movingNowPastAnExpiryRevokesExactlyThatGrant() throws {
        let ws = try Workspace(["acme.yaml": acme])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        let plan = try ws.run(["plan", "m", "--format", "json"], now: "2026-12-16T00:00:00Z")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let changes = try #require(json["changes"] as? [[String: Any]])
        #expect(changes.count == 1)
        #expect(changes.first?["key"] as? String == "member:temp@agency.io:admin@staging")
        #expect(changes.first?["reason"] as? String == "expired on 2026-12-15")
        #expect(changes.first?["action"] as? String == "delete")
    }

    @Test func onlyExpiredIgnoresOtherDrift() throws {
        let ws = try Workspace(["acme.yaml": acme])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "{email: jane@acme.com, role: member}", with: "{email: jane@acme.com, role: admin}"))
        let apply = try ws.run(["apply", "m", "--auto-approve", "--only-expired"], now: "2026-12-16T00:00:00Z")
        #expect(apply.status == 0)
        #expect(apply.stdout.contains("Plan: 0 to add, 0 to change, 1 to remove (1 expired)."))
        let full = try ws.run(["plan", "m"], now: "2026-12-16T00:00:00Z")
        #expect(full.stdout.hasSuffix("Plan: 0 to add, 1 to change, 0 to remove.\n"))
    }

    @Test func staleSavedPlansAreRefusedForEachReason() throws {
        let ws = try Workspace(["acme.yaml": acme])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "{name: staging}", with: "{name: staging}, {name: dev}"))
        #expect(try ws.run(["plan", "m", "--out", "plan.json"]).status == 0)
        #expect(try #require(ws.read("plan.json")).range(of: #""manifest_digest": "[0-9a-f]{64}""#, options: .regularExpression) != nil)

        // An expiry boundary (2026-12-15 end of day) passed since planning.
        let late = try ws.run(["apply", "plan.json"], now: "2026-12-16T00:00:00Z")
        #expect(late.status == 1)
        #expect(late.stderr == "error[RC6001 stale-plan]: plan is stale: re-run plan (an expiry passed at 2026-12-16T00:00:00Z, after the plan was made)\n")

        // Another state lineage.
        let other = try ws.run(["apply", "plan.json", "--state", "other.json"])
        #expect(other.status == 1)
        #expect(other.stderr.hasPrefix("error[RC6001 stale-plan]: plan is stale: re-run plan (it was made for state lineage "))

        // The state moved on.
        let show = try Binary.run(["show", "plan.json"], in: ws.url)
        #expect(show.stdout.contains("+ app dev  (added)"))
        #expect(try ws.run(["apply", "plan.json", "--auto-approve"]).status == 0)
        let twice = try ws.run(["apply", "plan.json", "--auto-approve"])
        #expect(twice.status == 1)
        #expect(twice.stderr == "error[RC6001 stale-plan]: plan is stale: re-run plan (the state changed since planning: serial 1 -> 2)\n")
    }

    @Test func applyWithoutATerminalOrApprovalRefuses() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let run = try ws.run(["apply", "m"])
        #expect(run.status == 1)
        #expect(run.stderr == "No state at rolecall.state.json: planning from an empty state.\n"
                + "error[RC9001 needs-terminal]: refusing to apply without a terminal to confirm on; pass --auto-approve\n")
        #expect(ws.read("rolecall.state.json") == nil)
    }

    @Test func aCorruptStateFileIsLeftUntouched() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let broken = "{\"format_version\": 1, \"lineage\": \"x\", \"serial\": 3, \"orgs\": {"
        try broken.write(toFile: ws.path("rolecall.state.json"), atomically: true, encoding: .utf8)
        let run = try ws.run(["apply", "m", "--auto-approve"])
        #expect(run.status == 1)
        #expect(run.stderr == "error[RC4002 state-invalid]: rolecall.state.json: the state file is not valid: it is not JSON (truncated or edited by hand?): line 1, column 61: the document ends inside an object (truncated?); it was left untouched\n")
        #expect(ws.read("rolecall.state.json") == broken)
        let newer = "{\"format_version\": 9, \"lineage\": \"x\", \"serial\": 3, \"orgs\": {}}\n"
        try newer.write(toFile: ws.path("rolecall.state.json"), atomically: true, encoding: .utf8)
        let plan = try ws.run(["plan", "m"])
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("format_version 9, newer than this rolecall understands (1); upgrade rolecall"))
        #expect(ws.read("rolecall.state.json") == newer)
    }

    @Test func aSecondApplyFailsAtOnceNamingTheHolderOrWaits() throws {
        let ws = try Workspace(["acme.yaml": acme])
        // Hold the lock from this process, as a running apply would.
        let fd = open(ws.path("rolecall.state.json.lock"), O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX) == 0)
        let record = "{\"host\": \"build-7\", \"pid\": 4242, \"since\": \"2026-11-23T11:59:00Z\", \"user\": \"alice\"}\n"
        _ = record.withCString { write(fd, $0, strlen($0)) }
        let blocked = try ws.run(["apply", "m", "--auto-approve"])
        #expect(blocked.status == 1)
        #expect(blocked.stderr == "error[RC4004 state-locked]: state rolecall.state.json is locked (held by alice@build-7, pid 4242, since 2026-11-23T11:59:00Z); wait for it to finish or use --lock-timeout\n")
        #expect(ws.read("rolecall.state.json") == nil)

        // With --lock-timeout it waits for the holder to let go.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            flock(fd, LOCK_UN)
            close(fd)
        }
        let waited = try ws.run(["apply", "m", "--auto-approve", "--lock-timeout", "10s"])
        #expect(waited.status == 0)
        #expect(ws.read("rolecall.state.json") != nil)
    }

    @Test func aLockDiesWithItsHolder() throws {
        let ws = try Workspace(["acme.yaml": acme])
        // A process that takes the lock and is killed: the next apply must not be blocked.
        let holder = try Binary.start(["--no-fork", ws.path("rolecall.state.json.lock"), "sleep", "30"], executable: "/usr/bin/flock",
                                      stdout: .discard, stderr: .discard)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 1)
        holder.send(SIGKILL)
        holder.wait()
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
    }

    @Test func killDuringApplyLeavesTheOldOrTheNewState() throws {
        // A large org, so that apply takes long enough to be interrupted anywhere.
        var big = "org: big\nsettings: {catalog: logrocket}\napps: [{name: web}]\nmembers:\n  - {email: owner@big.io, role: owner}\n"
        for i in 0..<5_000 { big += "  - {email: user\(i)@big.io, role: member}\n" }
        let ws = try Workspace(["big.yaml": big])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        let old = try #require(FileManager.default.contents(atPath: ws.path("rolecall.state.json")))
        try ws.write("big.yaml", big.replacingOccurrences(of: "role: member}", with: "role: admin}"))

        // How long one apply takes here, to spread the kills over all of it.
        let started = Date()
        _ = try ws.run(["apply", "m", "--auto-approve"])
        let duration = Date().timeIntervalSince(started)
        let new = try #require(FileManager.default.contents(atPath: ws.path("rolecall.state.json")))
        var generator = SystemRandomNumberGenerator()
        for attempt in 0..<50 {
            try old.write(to: URL(fileURLWithPath: ws.path("rolecall.state.json")))
            let process = try Binary.start(["apply", "m", "--auto-approve", "--now", "2026-11-23T12:00:00Z"], in: ws.url,
                                           stdout: .discard, stderr: .discard)
            Thread.sleep(forTimeInterval: Double.random(in: 0...(duration * 1.1), using: &generator))
            process.send(SIGKILL)
            process.wait()
            let now = try #require(FileManager.default.contents(atPath: ws.path("rolecall.state.json")))
            // Old or new (the new one differs only in serial from the first complete run's).
            #expect(now == old || now == new, "attempt \(attempt): the state is neither the old nor the new one")
            #expect((try? JSONSerialization.jsonObject(with: now)) != nil, "attempt \(attempt): the state does not parse")
        }
        // And a following apply converges.
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        #expect(try ws.run(["plan", "m", "--detailed-exitcode"]).status == 0)
    }

    @Test func concurrentAppliesTakeTurnsAndLoseNothing() throws {
        let ws = try Workspace(["acme.yaml": acme])
        func start(_ extra: [String]) throws -> Child {
            try Binary.start(["apply", "m", "--auto-approve", "--now", "2026-11-23T12:00:00Z"] + extra, in: ws.url, stdout: .discard)
        }
        // Eight at once, each willing to wait: all succeed, one after another; the changes are applied once.
        let eight = try (0..<8).map { _ in try start(["--lock-timeout", "60s"]) }.map { $0.finish() }
        #expect(eight.allSatisfy { $0.status == 0 })
        #expect(try #require(ws.read("rolecall.state.json")).contains("\"serial\": 1"))
        #expect(try #require(ws.read("rolecall.audit.jsonl")).split(separator: "\n").count == 11)

        // Two at once, not waiting: each either applies (there is nothing left to do) or names the holder.
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "{name: staging}", with: "{name: staging}, {name: dev}"))
        let two = try (0..<2).map { _ in try start([]) }.map { $0.finish() }
        for run in two where run.status != 0 {
            #expect(run.stderr.hasPrefix("error[RC4004 state-locked]: state rolecall.state.json is locked (held by "))
        }
        #expect(two.contains { $0.status == 0 })
        #expect(try #require(ws.read("rolecall.state.json")).contains("\"serial\": 2"))
        #expect(try ws.run(["plan", "m", "--detailed-exitcode"]).status == 0)
    }

    @Test func massRemovalNeedsAcknowledgement() throws {
        let ws = try Workspace(["acme.yaml": acme.replacingOccurrences(of: "{catalog: logrocket,", with: "{catalog: logrocket, max_removals: 0,")])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        try ws.write("acme.yaml", acme.replacingOccurrences(of: "{catalog: logrocket,", with: "{catalog: logrocket, max_removals: 0,")
            .replacingOccurrences(of: "  - {email: jane@acme.com, role: member}\n", with: "")
            .replacingOccurrences(of: "[jane@acme.com, temp@agency.io]", with: "[temp@agency.io]"))
        let refused = try ws.run(["plan", "m"])
        #expect(refused.status == 1)
        #expect(refused.stderr == """
            error[RC5001 removal-limit]: plan removes 1 member from org 'acme' (33% of 3), more than max_removals 0 allows
            note: if this is intended, re-run with --allow-removals 1

            """)
        #expect(try ws.run(["plan", "m", "--allow-removals", "1"]).status == 0)
    }

    @Test func markdownForAPullRequest() throws {
        let ws = try Workspace(["acme.yaml": acme])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        let md = try ws.run(["plan", "m", "--format", "markdown"], now: "2026-12-16T00:00:00Z")
        #expect(md.stdout.hasPrefix("<!-- rolecall:plan -->\n### rolecall plan\n\n**Plan: 0 to add, 0 to change, 1 to remove (1 expired).**"))
        #expect(md.stdout.contains("<details>"))
        #expect(md.stdout.contains("> [!IMPORTANT]"))
    }
}

@Suite("apply on a terminal", .serialized)
struct ApplyPromptTests {
    /// Runs apply under script(1), which gives it a pseudo-terminal, answering the prompt with `answer`.
    private func applyOnATerminal(_ ws: Workspace, answer: String) throws -> Run {
        let command = "printf '\(answer)\\n' | script -qec '\(Binary.url.path) apply m --no-color --now 2026-11-23T12:00:00Z' /dev/null"
        // script(1) writes what the terminal showed (both outputs) to its standard output.
        let run = try Binary.start(["-c", command], in: ws.url, shell: true).finish()
        return Run(status: run.status, stdout: run.stdout + run.stderr, stderr: "")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func asksForYesAndAcceptsNothingElse() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let declined = try applyOnATerminal(ws, answer: "y")
        #expect(declined.stdout.contains("Apply these changes? Only 'yes' is accepted:"))
        #expect(declined.stdout.contains("Apply cancelled."))
        #expect(ws.read("rolecall.state.json") == nil)
        let accepted = try applyOnATerminal(ws, answer: "yes")
        #expect(accepted.stdout.contains("Apply complete: 11 changes applied; state serial 1."))
        #expect(ws.read("rolecall.state.json") != nil)
    }
}

@Suite("invitations", .serialized)
struct InvitationTests {
    @Test func acceptanceIsRecordedAndLetsWaitingAppRolesCount() throws {
        let ws = try Workspace(["acme.yaml": acme])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        let before = try Binary.run(["access", "temp@agency.io", "--state", "rolecall.state.json"], in: ws.url)
        #expect(before.stdout.contains("waiting for the org invitation to be accepted"))

        let accept = try Binary.run(["state", "accept", "TEMP@agency.io", "--org", "acme"], in: ws.url)
        #expect(accept.status == 0)
        #expect(accept.stdout == "Recorded: temp@agency.io accepted the invitation to org 'acme'; state serial 2.\n")
        let state = try #require(ws.read("rolecall.state.json"))
        #expect(state.contains("\"accepted_at\""))
        #expect(try #require(ws.read("rolecall.audit.jsonl")).contains("\"reason\":\"invitation accepted\""))
        let after = try Binary.run(["access", "temp@agency.io", "--state", "rolecall.state.json"], in: ws.url)
        #expect(after.stdout.contains("staging         admin         admin: grant"))
        // Accepting again records nothing; the plan stays empty (acceptance is state-only).
        #expect(try Binary.run(["state", "accept", "temp@agency.io", "--org", "acme"], in: ws.url).stdout.contains("already active"))
        #expect(try ws.run(["plan", "m", "--detailed-exitcode"]).status == 0)
        let unknown = try Binary.run(["state", "accept", "who@acme.com", "--org", "acme"], in: ws.url)
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "error[RC4011 not-in-state]: who@acme.com is not a member of org 'acme' in the state\n")
    }

    @Test func pendingInvitationsAreResentAfterTheirTTLAndNeverBefore() throws {
        let ws = try Workspace(["acme.yaml": acme.replacingOccurrences(of: "invitation_ttl: 90d", with: "invitation_ttl: 7d")])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        #expect(try ws.run(["plan", "m", "--detailed-exitcode"], now: "2026-11-30T11:59:59Z").status == 0)
        let late = try ws.run(["plan", "m"], now: "2026-11-30T12:00:00Z")
        #expect(late.stdout.contains("~ member jane@acme.com  (invitation re-sent: pending since 2026-11-23T12:00:00Z, longer than invitation_ttl)"))
        #expect(late.stdout.contains("~ member temp@agency.io  (invitation re-sent"))
        #expect(!late.stdout.contains("owner@acme.com  (invitation"), "SSO members are never invited")
        #expect(late.stdout.hasSuffix("Plan: 0 to add, 2 to change, 0 to remove.\n"))
    }
}

/// Every hostile fixture: `rolecall apply` exits 1, names the file (with line and column where there is
/// one), does not crash, and writes nothing.
@Suite("hostile inputs end to end")
struct HostileTests {
    static var cases: [String] {
        let root = Binary.packageRoot.appendingPathComponent("Tests/Fixtures/validate")
        return ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { $0.hasPrefix("hostile-") || $0.hasPrefix("schema-") || $0 == "everything-wrong" }.sorted()
    }

    @Test func thereAreAtLeastFortyHostileInputs() {
        // Plus the state-file cases in StateFileHostileTests and the generated ones below.
        #expect(Self.cases.count >= 40)
    }

    @Test(arguments: cases)
    func refusedWithoutWritingAnything(_ name: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = "Tests/Fixtures/validate/\(name)"
        let run = try Binary.run(["apply", fixture, "--auto-approve", "--state", dir.appendingPathComponent("s.json").path,
                                  "--audit-log", dir.appendingPathComponent("audit.jsonl").path] + now)
        #expect(run.status == 1)
        #expect(run.stdout == "")
        let first = try #require(run.stderr.split(separator: "\n").first.map(String.init))
        let expected = try String(contentsOfFile: Binary.packageRoot.appendingPathComponent(fixture + "/expected.txt").path, encoding: .utf8)
        let firstExpected = try #require(expected.split(separator: "\n").first.map(String.init))
        // The same first diagnostic as the golden file, with the path as given on the command line.
        if firstExpected.hasPrefix("error[") {
            #expect(first.replacingOccurrences(of: fixture + "/", with: "") == firstExpected)
        } else {
            #expect(first == fixture + "/" + firstExpected)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasSuffix(".lock") } == [])
    }

    @Test func tenMegabyteScalarIsRefused() throws {
        let ws = try Workspace(["big.yaml": "org: acme\nsettings:\n  catalog: \"" + String(repeating: "x", count: 10_000_000) + "\"\n"])
        let run = try ws.run(["validate", "m"])
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix("m/big.yaml:3:12: error[RC1111 scalar-too-long]: scalar of 10000000 bytes is longer than the limit of 65536 bytes\n"))
    }
}

/// Hostile state files: exit 1, a message naming the file and the place, and the file left as it was.
@Suite("hostile state files")
struct StateFileHostileTests {
    static let cases: [(String, String, String)] = [
        ("empty", "", "it is not JSON (truncated or edited by hand?): line 1, column 1: the document ends too early (truncated?)"),
        ("truncated", #"{"format_version": 1, "lineage": "x", "ser"#, "line 1, column 43: the document ends inside a string (truncated?)"),
        ("newer", #"{"format_version": 2, "lineage": "x", "serial": 1, "orgs": {}}"#, "format_version 2, newer than this rolecall understands (1)"),
        ("wrong-type", #"{"format_version": "1", "lineage": "x", "serial": 1, "orgs": {}}"#, "format_version is missing"),
        ("negative-serial", #"{"format_version": 1, "lineage": "x", "serial": -1, "orgs": {}}"#, "serial is missing"),
        ("duplicate-key", #"{"format_version": 1, "format_version": 1}"#, "duplicate member 'format_version'"),
        ("fraction", #"{"format_version": 1.5}"#, "only whole numbers are expected here"),
        ("yaml", "format_version: 1\n", "line 1, column 1: invalid literal"),
        ("bad-utf8", "{\"lineage\": \"\u{FF}\"}", "line 1"),
        ("deep", String(repeating: "[", count: 5_000), "nesting is deeper than 512 levels"),
    ]

    @Test(arguments: cases.map(\.0))
    func refusedAndLeftUntouched(_ name: String) throws {
        let entry = try #require(Self.cases.first { $0.0 == name })
        let ws = try Workspace(["acme.yaml": acme])
        var bytes = Data(entry.1.utf8)
        if name == "bad-utf8" { bytes = Data([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]) }
        try bytes.write(to: URL(fileURLWithPath: ws.path("rolecall.state.json")))
        let run = try ws.run(["apply", "m", "--auto-approve"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("error[RC4002 state-invalid]: rolecall.state.json: "))
        #expect(run.stderr.contains(entry.2))
        #expect(run.stderr.hasSuffix("; it was left untouched\n"))
        #expect(FileManager.default.contents(atPath: ws.path("rolecall.state.json")) == bytes)
        #expect(ws.read("rolecall.audit.jsonl") == nil)
    }
}
