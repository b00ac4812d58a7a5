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
        #expect(lines == ["  - team membership support/jane@acme.com  (removed from manifests)", "  - member jane@acme.com  (removed from manifests; pending invitation cancelled)"])
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

        // An expiry boundary (2026-12-15 end of day) passed since planning.
        let late = try ws.run(["apply", "plan.json"], now: "2026-12-16T00:00:00Z")
        #expect(late.status == 1)
        #expect(late.stderr == "error: plan is stale: re-run plan (an expiry passed at 2026-12-16T00:00:00Z, after the plan was made)\n")

        // Another state lineage.
        let other = try ws.run(["apply", "plan.json", "--state", "other.json"])
        #expect(other.status == 1)
        #expect(other.stderr.hasPrefix("error: plan is stale: re-run plan (it was made for state lineage "))

        // The state moved on.
        let show = try Binary.run(["show", "plan.json"], in: ws.url)
        #expect(show.stdout.contains("+ app dev  (added)"))
        #expect(try ws.run(["apply", "plan.json", "--auto-approve"]).status == 0)
        let twice = try ws.run(["apply", "plan.json", "--auto-approve"])
        #expect(twice.status == 1)
        #expect(twice.stderr == "error: plan is stale: re-run plan (the state changed since planning: serial 1 -> 2)\n")
    }

    @Test func applyWithoutATerminalOrApprovalRefuses() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let run = try ws.run(["apply", "m"])
        #expect(run.status == 1)
        #expect(run.stderr == "error: refusing to apply without a terminal to confirm on; pass --auto-approve\n")
        #expect(ws.read("rolecall.state.json") == nil)
    }

    @Test func aCorruptStateFileIsLeftUntouched() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let broken = "{\"format_version\": 1, \"lineage\": \"x\", \"serial\": 3, \"orgs\": {"
        try broken.write(toFile: ws.path("rolecall.state.json"), atomically: true, encoding: .utf8)
        let run = try ws.run(["apply", "m", "--auto-approve"])
        #expect(run.status == 1)
        #expect(run.stderr == "error: rolecall.state.json: the state file is not valid: it is not JSON (truncated or edited by hand?): line 1, column 61: the document ends inside an object (truncated?); it was left untouched\n")
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
        #expect(blocked.stderr == "error: state rolecall.state.json is locked (held by alice@build-7, pid 4242, since 2026-11-23T11:59:00Z); wait for it to finish or use --lock-timeout\n")
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
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--no-fork", ws.path("rolecall.state.json.lock"), "sleep", "30"]
        try holder.run()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 1)
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
    }

    @Test func killDuringApplyLeavesTheOldOrTheNewState() throws {
        // A large org, so that apply takes long enough to be interrupted.
        var big = "org: big\nsettings: {catalog: logrocket}\napps: [{name: web}]\nmembers:\n  - {email: owner@big.io, role: owner}\n"
        for i in 0..<10_000 { big += "  - {email: user\(i)@big.io, role: member}\n" }
        let ws = try Workspace(["big.yaml": big])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        let old = try #require(ws.read("rolecall.state.json"))
        try ws.write("big.yaml", big.replacingOccurrences(of: "role: member}", with: "role: admin}"))
        for attempt in 0..<6 {
            let process = Process()
            process.executableURL = Binary.url
            process.arguments = ["apply", "m", "--auto-approve", "--now", "2026-11-23T12:00:00Z"]
            process.currentDirectoryURL = ws.url
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 0.05 + Double(attempt) * 0.12)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let now = try #require(ws.read("rolecall.state.json"))
            #expect(now == old || now.contains("\"serial\": 2"), "attempt \(attempt): state is neither old nor new")
            #expect((try? JSONSerialization.jsonObject(with: Data(now.utf8))) != nil)
            if now != old { break }
        }
        // And a following apply converges.
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
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
            error: plan removes 1 member from org 'acme' (33% of 3), more than max_removals 0 allows
            note: if this is intended, re-run with --allow-removals 1

            """)
        #expect(try ws.run(["plan", "m", "--allow-removals", "1"]).status == 0)
    }

    @Test func markdownForAPullRequest() throws {
        let ws = try Workspace(["acme.yaml": acme])
        _ = try ws.run(["apply", "m", "--auto-approve"])
        let md = try ws.run(["plan", "m", "--format", "markdown"], now: "2026-12-16T00:00:00Z")
        #expect(md.stdout.hasPrefix("**Plan: 0 to add, 0 to change, 1 to remove (1 expired).**\n"))
        #expect(md.stdout.contains("<details open>"))
        #expect(md.stdout.contains("> [!IMPORTANT]"))
    }
}

@Suite("apply on a terminal", .serialized)
struct ApplyPromptTests {
    /// Runs apply under script(1), which gives it a pseudo-terminal, answering the prompt with `answer`.
    private func applyOnATerminal(_ ws: Workspace, answer: String) throws -> Run {
        let command = "printf '\(answer)\\n' | script -qec '\(Binary.url.path) apply m --no-color --now 2026-11-23T12:00:00Z' /dev/null"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = ws.url
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
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
        #expect(unknown.stderr == "error: who@acme.com is not a member of org 'acme' in the state\n")
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
