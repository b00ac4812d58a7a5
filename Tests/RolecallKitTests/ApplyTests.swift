import Foundation
import Synchronization
import Testing
@testable import RolecallKit

/// A target that fails on one change and reports a remote id for the others; saves every `every` changes.
struct ScriptedTarget: ApplyTarget {
    var failAt: Int?
    var every: Int
    private let count = Counter()

    init(failAt: Int?, every: Int) {
        self.failAt = failAt
        self.every = every
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String { "the server said 503" }
    }

    func apply(_ change: Change) async throws -> AppliedResource? {
        let index = count.next()
        if index == failAt { throw Refused() }
        return change.after.map { AppliedResource(attributes: $0, remoteID: "id-\(index)", version: "v1") }
    }

    var batching: BatchPolicy { BatchPolicy(maxChanges: every, maxInterval: .infinity) }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { v in defer { v += 1 }; return v } }
}

/// A backend that records, at each write, how many audit lines were on disk: the audit comes first.
struct AuditCheckingBackend: StateBackend {
    var inner: FileStateBackend
    var auditPath: String
    let seen = Seen()

    final class Seen: Sendable {
        let lines = Mutex<[Int]>([])
    }

    var location: String { inner.location }
    func read() throws(StateError) -> State? { try inner.read() }
    func lock(owner: LockOwner, timeout: TimeInterval) throws(StateError) -> any StateLock { try inner.lock(owner: owner, timeout: timeout) }
    func write(_ state: State, replacing expected: StateVersion?, holding lock: any StateLock) throws(StateError) {
        let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
        seen.lines.withLock { $0.append(text.split(separator: "\n").count) }
        try inner.write(state, replacing: expected, holding: lock)
    }
    func ownsFile(atPath path: String) -> Bool { inner.ownsFile(atPath: path) }
}

@Suite("apply")
struct ApplyTests {
    /// Seven changes: settings, an app, five members (in that order).
    static func plan(against current: State = State(lineage: "", serial: 0)) throws -> Plan {
        var text = "org: acme\nsettings: {catalog: logrocket}\napps: [{name: web}]\nmembers:\n  - {email: owner@acme.com, role: owner}\n"
        for i in 0..<4 { text += "  - {email: m\(i)@acme.com, role: member}\n" }
        let manifest = try #require(validate(text).manifest)
        return Planner.plan(desired: DesiredState(manifest, now: fixedNow), current: current, options: PlanOptions(now: fixedNow)).0
    }

    @Test func aTargetFailingOnChangeNLeavesExactlyTheChangesBeforeItInStateAndAudit() async throws {
        let dir = try Scratch()
        let inner = FileStateBackend(path: dir.path("s.json"))
        let backend = AuditCheckingBackend(inner: inner, auditPath: dir.path("audit.jsonl"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        let plan = try Self.plan()
        #expect(plan.changes.count == 7)
        let applied = await Workflow.apply(plan, state: State(lineage: "", serial: 0), backend: backend, lock: lock,
                                           target: ScriptedTarget(failAt: 5, every: 2), audit: AuditLog(path: dir.path("audit.jsonl")),
                                           actor: "ci")
        // Batches of two: [0, 1] serial 1, [2, 3] serial 2, then 4 and the failing 5: [4] saved as serial 3.
        var expected = State(lineage: "", serial: 0)
        for (i, change) in plan.changes.prefix(5).enumerated() {
            expected.apply(Applier.recorded(change, as: change.after.map { AppliedResource(attributes: $0, remoteID: "id-\(i)", version: "v1") }))
        }
        let saved = try #require(try inner.read())
        #expect(saved.resources == expected.resources)
        #expect(saved.serial == 3)
        #expect(applied.outcome.applied == Array(plan.changes.prefix(5)))
        #expect(applied.outcome.failure?.change == plan.changes[5])
        #expect(applied.diagnostics.count == 1)

        let audit = try String(contentsOfFile: dir.path("audit.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(audit.count == 6)
        #expect(audit.prefix(5).allSatisfy { $0.contains("\"result\":\"ok\"") })
        #expect(audit[5].contains("\"result\":\"failed: the server said 503\""))
        #expect(audit[5].contains(plan.changes[5].id.key))
        // Each batch's records were on disk before the state that holds it was written.
        #expect(backend.seen.lines.withLock { $0 } == [2, 4, 6])
    }

    @Test func remoteIDsAreRecordedAndCarriedOverByUpdates() async throws {
        let dir = try Scratch()
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        let plan = try Self.plan()
        let index = try #require(plan.changes.firstIndex { $0.id.key == "m0@acme.com" })
        let applied = await Workflow.apply(plan, state: State(lineage: "", serial: 0), backend: backend, lock: lock,
                                           target: ScriptedTarget(failAt: nil, every: 500), audit: AuditLog(path: dir.path("a.jsonl")), actor: "ci")
        #expect(applied.diagnostics.isEmpty)
        let saved = try #require(try backend.read())
        let member = try #require(saved.resources[ResourceID(org: "acme", kind: .member, key: "m0@acme.com")])
        #expect(member["remote_id"] == .string("id-\(index)"))
        #expect(member["remote_version"] == .string("v1"))
        // Remote ids are state-only: the same manifests plan no change.
        #expect(try Self.planAgain(saved).isEmpty)
    }

    private static func planAgain(_ state: State) throws -> [Change] {
        var text = "org: acme\nsettings: {catalog: logrocket}\napps: [{name: web}]\nmembers:\n  - {email: owner@acme.com, role: owner}\n"
        for i in 0..<4 { text += "  - {email: m\(i)@acme.com, role: member}\n" }
        let manifest = try #require(validate(text).manifest)
        return Planner.plan(desired: DesiredState(manifest, now: fixedNow), current: state, options: PlanOptions(now: fixedNow)).0.changes
    }

    @Test func theRecordOnlyTargetSavesOnceAndWritesTheSameStateAsBefore() async throws {
        let dir = try Scratch()
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        let plan = try Self.plan()
        let applied = await Workflow.apply(plan, state: State(lineage: "", serial: 0), backend: backend, lock: lock,
                                           target: RecordOnlyTarget(), audit: AuditLog(path: dir.path("a.jsonl")), actor: "ci")
        #expect(applied.diagnostics.isEmpty)
        var expected = State(lineage: applied.outcome.state.lineage, serial: 1)
        expected.evaluatedAt = plan.evaluatedAt  // every saved state records its plan's evaluation instant (issue 13, item 5)
        // ... and where each resource was declared (state-only `declared_at`).
        for change in plan.changes { expected.apply(Applier.recorded(change, as: change.after.map { AppliedResource(attributes: $0) })) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("s.json"))) == StateCodec.encode(expected))
        #expect(!FileManager.default.fileExists(atPath: dir.path("s.json.backup")), "one write: no earlier version to keep")
    }

    @Test func anAuditLogThatCannotBeWrittenStopsTheRunBeforeTheStateIsSaved() async throws {
        let dir = try Scratch()
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        let applied = await Workflow.apply(try Self.plan(), state: State(lineage: "", serial: 0), backend: backend, lock: lock,
                                           target: RecordOnlyTarget(), audit: AuditLog(path: dir.path("missing/a.jsonl")), actor: "ci")
        #expect(applied.diagnostics.count == 1)
        #expect(applied.outcome.applied.isEmpty)
        #expect(try backend.read() == nil)
    }

    @Test func progressIsReportedThroughAnObserver() async throws {
        let dir = try Scratch()
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        let lines = Mutex<[String]>([])
        let ticks = Counter()
        // Every reading of the clock is a second later: every change is reported.
        let reporter = ProgressReporter(every: 1, clock: { Date(timeIntervalSince1970: Double(ticks.next())) }) { line in
            lines.withLock { $0.append(line) }
        }
        _ = await Workflow.apply(try Self.plan(), state: State(lineage: "", serial: 0), backend: backend, lock: lock,
                                 target: RecordOnlyTarget(), audit: AuditLog(path: dir.path("a.jsonl")), actor: "ci", observers: [reporter])
        let reported = lines.withLock { $0 }
        #expect(reported.first == "Applied 1 of 7 changes...")
        #expect(reported.contains("Applied 7 of 7 changes..."))
        #expect(reported.last == "Saved state serial 1.")
    }

    @Test func hardening10_auditLogPointingAtTheStateIsRefusedBeforeAnythingIsWritten() async throws {
        let dir = try Scratch()
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        try backend.write(state("L", 1), replacing: nil, holding: lock)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.path("s.json")))
        #expect(symlink(dir.path("s.json"), dir.path("audit-link")) == 0)
        for audit in [dir.path("s.json"), dir.path("audit-link"), dir.path("s.json.backup")] {
            let applied = await Workflow.apply(try Self.plan(against: state("L", 1)), state: state("L", 1), backend: backend, lock: lock,
                                               target: RecordOnlyTarget(), audit: AuditLog(path: audit), actor: "ci")
            #expect(applied.diagnostics.count == 1)
            #expect(applied.outcome.applied.isEmpty)
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("s.json"))) == before)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("s.json.backup")))
        let accepted = Workflow.accept(email: "x@acme.com", org: "acme", state: state("L", 1, members: ["x@acme.com"]), backend: backend,
                                       lock: lock, audit: AuditLog(path: dir.path("s.json")), actor: "ci", now: fixedNow)
        guard case .failure = accepted else { Issue.record("accept wrote its audit record into the state"); return }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("s.json"))) == before)
    }

    @Test func hardening13_serialAtInt64MaxIsAnErrorNotACrash() async throws {
        let dir = try Scratch()
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        let full = state("L", Int(Int64.max), members: ["x@acme.com"])
        try "{\"format_version\": 1, \"lineage\": \"L\", \"orgs\": {\"acme\": {\"members\": {\"x@acme.com\": {\"role\": \"member\"}}}}, \"serial\": 9223372036854775807}\n"
            .write(toFile: dir.path("s.json"), atomically: true, encoding: .utf8)
        #expect(try backend.read() == full)
        let applied = await Workflow.apply(try Self.plan(against: full), state: full, backend: backend, lock: lock,
                                           target: ScriptedTarget(failAt: nil, every: 1), audit: AuditLog(path: dir.path("a.jsonl")), actor: "ci")
        #expect(applied.diagnostics.count == 1)
        #expect(applied.diagnostics.first?.message.contains("9223372036854775807") == true)
        #expect(applied.outcome.applied.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.path("a.jsonl")), "refused before the target was asked")
        let accepted = Workflow.accept(email: "x@acme.com", org: "acme", state: full, backend: backend, lock: lock,
                                       audit: AuditLog(path: dir.path("a.jsonl")), actor: "ci", now: fixedNow)
        guard case let .failure(problem) = accepted else { Issue.record("accept at Int64.max did not fail"); return }
        #expect(problem.code == .serialExhausted)
        #expect(problem.message.contains("9223372036854775807"))
        #expect(try backend.read() == full)
    }
}
