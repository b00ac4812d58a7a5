import Foundation
import Testing
@testable import RolecallKit

/// The PostgreSQL server the tests use: ROLECALL_TEST_PG_URL (scripts/pg.sh start prints it).
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["ROLECALL_TEST_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let missing: Comment = "ROLECALL_TEST_PG_URL is not set: start a server with `eval \"$(bash scripts/pg.sh start)\"`"

    /// A backend on a state name of its own (tests run side by side on one database).
    static func backend(_ name: String = "t-\(UUID().uuidString.prefix(8))", retry: Retry = .standard) throws -> PostgresStateBackend {
        PostgresStateBackend(url: try PostgresStateURL("\(try #require(url))?name=\(name)"), retry: retry)
    }
}

@Suite("PostgreSQL state URL")
struct PostgresStateURLTests {
    @Test func passwordNeverInLocationAndComesFromPGPASSWORD() throws {
        let url = try PostgresStateURL("postgres://ci:s3cr%2Fet@db.example:6543/infra?name=prod")
        #expect(url.password == "s3cr/et")
        #expect(url.location == "postgres://ci@db.example:6543/infra?name=prod")
        let fromEnv = try PostgresStateURL("postgresql://ci@db/infra", environment: ["PGPASSWORD": "hunter2"])
        #expect(fromEnv.password == "hunter2" && fromEnv.name == "default" && fromEnv.port == 5432 && fromEnv.sslMode == .prefer)
        #expect(!fromEnv.location.contains("hunter2"))
    }

    @Test func badURLsAreRefusedWithoutThePassword() {
        for text in ["postgres://ci:topsecret@db/infra?sslmode=sometimes", "postgres://ci:topsecret@db/infra?colour=red",
                     "postgres://ci:topsecret@db/", "postgres://ci:topsecret@/infra"] {
            do {
                _ = try PostgresStateURL(text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(!error.description.contains("topsecret"), "\(error)")
                #expect(error.description.contains("ci:***@"))
            }
        }
    }

    @Test func sslModesParse() throws {
        for mode in ["disable", "prefer", "require", "verify-full"] {
            #expect(try PostgresStateURL("postgres://u@h/d?sslmode=\(mode)").sslMode.rawValue == mode)
        }
    }

    @Test func lockKeyDependsOnTheNameOnly() throws {
        let a = try PostgresStateURL("postgres://u@h/d?name=prod").lockKey
        let b = try PostgresStateURL("postgres://v@other:1/e?name=prod").lockKey
        let c = try PostgresStateURL("postgres://u@h/d?name=staging").lockKey
        #expect(a == b)
        #expect(a != c)
        #expect(a.0 >= 0 && a.1 >= 0)
    }

    @Test func addressesParse() {
        #expect(StateAddress("acme/member/Jane@Acme.com")?.id == ResourceID(org: "acme", kind: .member, key: "jane@acme.com"))
        #expect(StateAddress("acme/team_membership/support/jane@acme.com")?.id.key == "support/jane@acme.com")
        #expect(StateAddress("acme/settings")?.id == ResourceID(org: "acme", kind: .settings, key: ""))
        #expect(StateAddress("acme/robot/x") == nil)
        #expect(StateAddress("acme/member") == nil)
    }
}

@Suite("PostgreSQL state backend", .enabled(if: TestPostgres.url != nil, TestPostgres.missing))
struct PostgresStateBackendTests {
    let owner = LockOwner(pid: 4242, host: "runner-7", user: "ci-bot", since: Date(timeIntervalSince1970: 1_800_000_000))

    func sample(_ lineage: String, _ serial: Int, members: [String]) -> State {
        var resources = ResourceTable()
        for m in members { resources[ResourceID(org: "acme", kind: .member, key: m)] = ["role": .string("member")] }
        return State(lineage: lineage, serial: serial, resources: resources)
    }

    @Test func firstWriteThenReadAndCompareAndSwap() throws {
        let backend = try TestPostgres.backend()
        #expect(try backend.read() == nil)
        let lock = try backend.lock(owner: owner, timeout: 0)
        defer { lock.release() }
        let first = sample("L", 1, members: ["a@x.io"])
        try backend.write(first, replacing: nil, holding: lock)
        #expect(try backend.read() == first)
        // A second "first write" (another run that also saw no state) is refused.
        #expect(throws: StateError.conflict(backend: backend.location, expected: nil, found: StateVersion(lineage: "L", serial: 1))) {
            try backend.write(sample("M", 1, members: []), replacing: nil, holding: lock)
        }
        let second = sample("L", 2, members: ["a@x.io", "b@x.io"])
        try backend.write(second, replacing: StateVersion(lineage: "L", serial: 1), holding: lock)
        // Two saved plans from serial 1: the second is refused, nothing lost.
        #expect(throws: StateError.conflict(backend: backend.location, expected: StateVersion(lineage: "L", serial: 1),
                                            found: StateVersion(lineage: "L", serial: 2))) {
            try backend.write(sample("L", 2, members: ["c@x.io"]), replacing: StateVersion(lineage: "L", serial: 1), holding: lock)
        }
        #expect(try backend.read() == second)
    }

    @Test func theWaitingRunSeesTheHolderAndGetsTheLockOnceFree() throws {
        let name = "t-\(UUID().uuidString.prefix(8))"
        let holder = try TestPostgres.backend(name)
        let waiter = try TestPostgres.backend(name, retry: Retry(interval: 0.02))
        let lock = try holder.lock(owner: owner, timeout: 0)
        #expect(throws: StateError.locked(backend: waiter.location, holder: owner)) {
            _ = try waiter.lock(owner: owner, timeout: 0.1)
        }
        #expect(throws: StateError.notLocked(backend: waiter.location)) {
            try waiter.write(sample("L", 1, members: []), replacing: nil, holding: lock)
        }
        lock.release()
        let second = try waiter.lock(owner: owner, timeout: 1)
        second.release()
    }

    @Test func auditRecordsCommitWithTheStateOnly() throws {
        let backend = try TestPostgres.backend()
        let lock = try backend.lock(owner: owner, timeout: 0)
        defer { lock.release() }
        let change = Change(action: .create, id: ResourceID(org: "acme", kind: .member, key: "a@x.io"), before: nil,
                            after: ["role": .string("member"), "ticket": .string("IAM-1")], reason: .added, location: nil)
        backend.stageAudit([AuditRecord(time: Date(), actor: "ci-bot", change: change, result: "ok")])
        try backend.write(sample("L", 1, members: ["a@x.io"]), replacing: nil, holding: lock)
        backend.stageAudit([AuditRecord(time: Date(), actor: "ci-bot", change: change, result: "ok")])
        #expect(throws: StateError.self) {  // a conflict: the staged record must not be committed
            try backend.write(sample("L", 2, members: []), replacing: StateVersion(lineage: "L", serial: 7), holding: lock)
        }
        let rows = try backend.sqlFirstColumn(
            "SELECT concat_ws(',', serial, actor, action, org, kind, key, result, ticket) FROM rolecall_audit WHERE state_name = '\(backend.url.name)'")
        #expect(rows == ["1,ci-bot,create,acme,member,a@x.io,ok,IAM-1"])
    }

    @Test func aTerminatedConnectionLosesNothing() throws {
        let backend = try TestPostgres.backend()
        let lock = try backend.lock(owner: owner, timeout: 0)
        defer { lock.release() }
        try backend.write(sample("L", 1, members: ["a@x.io"]), replacing: nil, holding: lock)
        let admin = try TestPostgres.backend(backend.url.name)
        let pid = try #require(backend.sqlFirstColumn("SELECT pg_backend_pid()::text").first ?? nil)
        _ = try admin.sqlFirstColumn("SELECT pg_terminate_backend(\(pid))::text")
        // The lock died with the session; the write reconnects, takes it again and still compares and swaps.
        let next = sample("L", 2, members: ["a@x.io", "b@x.io"])
        try backend.write(next, replacing: StateVersion(lineage: "L", serial: 1), holding: lock)
        #expect(try admin.read() == next)
    }
}
