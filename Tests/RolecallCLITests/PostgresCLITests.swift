import Foundation
import Testing
@testable import RolecallKit

/// The server the tests use: ROLECALL_TEST_PG_URL (`eval "$(bash scripts/pg.sh start)"` starts one).
private let pgURL = ProcessInfo.processInfo.environment["ROLECALL_TEST_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }

/// acme with its invitation TTL set to `days` (each concurrent run declares its own, so each must write).
private func acmeWithTTL(_ days: Int) -> String {
    acme.replacingOccurrences(of: "invitation_ttl: 90d", with: "invitation_ttl: \(days)d")
}

@Suite("PostgreSQL state through the binary", .serialized,
       .enabled(if: pgURL != nil, "ROLECALL_TEST_PG_URL is not set: start a server with `eval \"$(bash scripts/pg.sh start)\"`"))
struct PostgresCLITests {
    /// A state URL of its own for each test.
    func stateURL(password: String? = nil) throws -> String {
        var url = try #require(pgURL)
        if let password { url = url.replacingOccurrences(of: "://postgres@", with: "://postgres:\(password)@") }
        return url + "?name=cli-\(UUID().uuidString.prefix(8))"
    }

    func admin(_ url: String) throws -> PostgresStateBackend {
        PostgresStateBackend(url: try PostgresStateURL(url))
    }

    func state(_ ws: Workspace, _ arguments: [String], env: [String: String] = [:]) throws -> Run {
        try Binary.run(["state"] + arguments, in: ws.url, environment: env)
    }

    @Test func applyThenReplanHasNoChangesAndTheAuditIsInTheDatabase() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let url = try stateURL()
        let env = ["ROLECALL_STATE": url, "ROLECALL_ACTOR": "ci-bot"]
        let first = try ws.run(["plan", "m"], environment: env)
        #expect(first.status == 0)
        #expect(first.stderr.hasPrefix("No state at \(try admin(url).location): planning from an empty state.\n"))
        let apply = try ws.run(["apply", "m", "--auto-approve"], environment: env)
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.hasSuffix("Apply complete: 11 changes applied; state serial 1.\n"))
        #expect(ws.read("rolecall.audit.jsonl") == nil, "the audit of a PostgreSQL state is in rolecall_audit")
        let again = try ws.run(["plan", "m", "--detailed-exitcode", "--require-state"], environment: env)
        #expect(again.status == 0)
        #expect(again.stderr == "")
        #expect(again.stdout.hasSuffix("No changes.\n"))
        let db = try admin(url)
        let audit = try db.sqlFirstColumn("SELECT actor || ' ' || result || ' ' || serial FROM rolecall_audit WHERE state_name = '\(db.url.name)'")
        #expect(audit.count == 11)
        #expect(audit.allSatisfy { $0 == "ci-bot ok 1" })
        let list = try state(ws, ["list", "--state", url])
        #expect(list.stdout.split(separator: "\n").contains(Substring(db.url.name)))
        let show = try state(ws, ["show", "--state", url, "--org", "acme"])
        #expect(show.stdout.contains("acme/member/jane@acme.com  "))
        let rm = try state(ws, ["rm", "acme/member/jane@acme.com", "--state", url])
        #expect(rm.status == 0, "\(rm.stderr)")
        let replan = try ws.run(["plan", "m"], environment: env)
        #expect(replan.stdout.hasSuffix("Plan: 1 to add, 0 to change, 0 to remove.\n"))
    }

    @Test func eightConcurrentAppliesEachReplanUnderTheLockAndNoneIsLost() throws {
        let url = try stateURL()
        let spaces = try (0..<8).map { i in try Workspace(["acme.yaml": acmeWithTTL(41 + i)]) }
        let results = ConcurrentResults()
        let folders = spaces.map(\.url)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let run = try? Binary.run(["apply", "m", "--auto-approve", "--lock-timeout", "300s", "--now", "2026-11-23T12:00:00Z"],
                                      in: folders[i], environment: ["ROLECALL_STATE": url, "ROLECALL_ACTOR": "run-\(i)"])
            results.set(i, run)
        }
        for (i, run) in results.all.enumerated() {
            #expect(run?.status == 0, "run \(i): \(run?.stderr ?? "did not start")")
        }
        let db = try admin(url)
        #expect(try db.read()?.serial == 8)
        // Every run wrote once, each against the state the previous one left: the settings' updates chain.
        let serials = try db.sqlFirstColumn(
            "SELECT serial::text FROM rolecall_audit WHERE state_name = '\(db.url.name)' AND kind = 'settings' ORDER BY id")
        #expect(serials == (1...8).map { String($0) })
    }

    @Test func theSecondOfTwoPlansFromOneSerialIsRefused() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let env = ["ROLECALL_STATE": try stateURL()]
        #expect(try ws.run(["apply", "m", "--auto-approve"], environment: env).status == 0)
        try ws.write("acme.yaml", acmeWithTTL(30))
        #expect(try ws.run(["plan", "m", "--out", ws.path("one.json")], environment: env).status == 0)
        try ws.write("acme.yaml", acmeWithTTL(31))
        #expect(try ws.run(["plan", "m", "--out", ws.path("two.json")], environment: env).status == 0)
        #expect(try ws.run(["apply", ws.path("one.json"), "--auto-approve"], environment: env).status == 0)
        let second = try ws.run(["apply", ws.path("two.json"), "--auto-approve"], environment: env)
        #expect(second.status == 1)
        #expect(second.stderr.contains("plan is stale: re-run plan"))
    }

    @Test func pushThenPullIsByteForByteAndPushRefusesOlderStates() throws {
        let ws = try Workspace(["acme.yaml": acme])
        #expect(try ws.run(["apply", "m", "--auto-approve"]).status == 0)
        let file = try #require(ws.read("rolecall.state.json"))
        let url = try stateURL()
        let push = try state(ws, ["push", "rolecall.state.json", "--state", url])
        #expect(push.status == 0, "\(push.stderr)")
        let pull = try state(ws, ["pull", "--state", url])
        #expect(pull.stdout == file)
        let again = try state(ws, ["push", "rolecall.state.json", "--state", url])
        #expect(again.status == 1)
        #expect(again.stderr.contains("refusing to push serial 1 over serial 1"))
        let forced = try state(ws, ["push", "rolecall.state.json", "--state", url, "--force"])
        #expect(forced.status == 0)
        #expect(try admin(url).read()?.serial == 2)
    }

    @Test func aMissingStateIsSaidInEveryFormatAndRequireStateFails() throws {
        let ws = try Workspace(["acme.yaml": acme])
        for state in [try stateURL(), "missing.json"] {
            for format in ["text", "json", "markdown"] {
                let run = try ws.run(["plan", "m", "--state", state, "--format", format])
                #expect(run.status == 0)
                #expect(run.stderr.hasPrefix("No state at "))
            }
            let required = try ws.run(["plan", "m", "--state", state, "--require-state"])
            #expect(required.status == 1)
            #expect(required.stderr.contains("no state at"))
            let apply = try ws.run(["apply", "m", "--state", state, "--require-state", "--auto-approve"])
            #expect(apply.status == 1)
        }
        #expect(ws.read("missing.json") == nil)
    }

    @Test func thePasswordNeverAppears() throws {
        let ws = try Workspace(["acme.yaml": acme])
        let secret = "pw-S3CRET-\(UUID().uuidString.prefix(6))"
        let url = try stateURL(password: secret)
        var outputs: [Run] = []
        outputs.append(try ws.run(["plan", "m", "--state", url, "--out", ws.path("plan.json")]))
        outputs.append(try ws.run(["apply", "m", "--state", url, "--auto-approve"]))
        outputs.append(try state(ws, ["pull", "--state", url]))
        outputs.append(try state(ws, ["show", "--state", url]))
        outputs.append(try state(ws, ["push", "nothing.json", "--state", url]))
        outputs.append(try ws.run(["plan", "m", "--state", url.replacingOccurrences(of: "name=", with: "sslmode=sometimes&name=")]))
        let unreachable = url.replacingOccurrences(of: #"@127\.0\.0\.1:\d+/"#, with: "@127.0.0.1:1/", options: .regularExpression)
        outputs.append(try ws.run(["plan", "m", "--state", unreachable]))
        outputs.append(try ws.run(["apply", "m", "--state", "postgres://postgres@127.0.0.1:1/x", "--auto-approve"],
                                  environment: ["PGPASSWORD": secret]))
        #expect(outputs[1].status == 0)
        #expect(outputs[5].status == 1 && outputs[6].status == 1 && outputs[7].status == 1)
        for run in outputs {
            #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret), "\(run.stderr)")
        }
        #expect(try !#require(ws.read("plan.json")).contains(secret))
        let db = try admin(url)
        #expect(try db.sqlFirstColumn("SELECT count(*)::text FROM rolecall_states WHERE data::text LIKE '%\(secret)%'") == ["0"])
    }
}

extension PostgresCLITests {
    /// kill -9 of an apply at random points: the state is the old or the new one, the lock is free at
    /// once, and the next apply converges (its re-plan has no changes).
    @Test func aKilledApplyLeavesTheOldOrTheNewStateAndAFreeLock() throws {
        let url = try stateURL()
        let ws = try Workspace(["acme.yaml": acme])
        let env = ["ROLECALL_STATE": url]
        #expect(try ws.run(["apply", "m", "--auto-approve"], environment: env).status == 0)
        let db = try admin(url)
        for round in 0..<10 {
            try ws.write("acme.yaml", acmeWithTTL(50 + round))
            let before = try #require(try db.read()?.serial)
            let process = try Binary.start(["apply", "m", "--auto-approve", "--now", "2026-11-23T12:00:00Z"], in: ws.url,
                                           environment: env, stdout: .discard, stderr: .discard)
            usleep(useconds_t.random(in: 0...400_000))
            process.send(SIGKILL)
            process.wait()
            let after = try #require(try db.read()?.serial)
            #expect(after == before || after == before + 1, "round \(round): \(before) -> \(after)")
            let next = try ws.run(["apply", "m", "--auto-approve", "--lock-timeout", "10s"], environment: env)
            #expect(next.status == 0, "round \(round): \(next.stderr)")
            #expect(try ws.run(["plan", "m", "--detailed-exitcode"], environment: env).status == 0)
        }
    }
}

/// Results of concurrent runs, by index.
private final class ConcurrentResults: @unchecked Sendable {
    // Invariant: `runs` is only touched under `lock`.
    private let lock = NSLock()
    private var runs = [Run?](repeating: nil, count: 8)

    func set(_ i: Int, _ run: Run?) { lock.withLock { runs[i] = run } }
    var all: [Run?] { lock.withLock { runs } }
}
