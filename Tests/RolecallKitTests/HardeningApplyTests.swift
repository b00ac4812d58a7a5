import Foundation
import Testing
@testable import RolecallKit

/// Issue 13, items 1, 5 and 16 at the library level (the end-to-end tests run the binary).
@Suite("saved plans, evaluation instant, audit chain")
struct HardeningApplyTests {
    static let now = Date(timeIntervalSince1970: 1_795_435_200)  // 2026-11-23T12:00:00Z

    static var planCases: [String] { PlanFixtureTests.cases }

    /// Every golden plan, saved and read back, passes every check `apply PLANFILE` runs: the checks never
    /// refuse a plan rolecall made.
    @Test(arguments: planCases)
    func hardening1_genuinePlansPassTheSavedPlanChecks(_ name: String) throws {
        let folder = PlanFixtureTests.root.appendingPathComponent(name)
        let nowText = try String(contentsOf: folder.appendingPathComponent("now"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let now = try #require(parseTimestamp(nowText))
        let store = FileStateStore(path: folder.appendingPathComponent("state.json").path)
        let planned = Workflow.plan(manifests: folder.appendingPathComponent("manifests").path, store: store, options: PlanOptions(now: now))
        let plan = try #require(planned.plan)
        let saved = try PlanDocument.readSealed(Data(PlanDocument(plan).sealed(key: "k").json.utf8), key: "k").get()
        let problems = SavedPlan.check(saved, state: planned.state, options: PlanOptions(now: now))
        #expect(!problems.hasErrors, "\(problems)")
    }

    /// The same from an empty state, so that every resource the fixtures declare is written by the plan
    /// (found by fuzzing: an org's `protected_roles` setting made its first saved plan unusable).
    @Test(arguments: planCases)
    func hardening1_genuinePlansFromNothingPassTheSavedPlanChecks(_ name: String) throws {
        let folder = PlanFixtureTests.root.appendingPathComponent(name)
        let nowText = try String(contentsOf: folder.appendingPathComponent("now"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let now = try #require(parseTimestamp(nowText))
        let store = FileStateStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID()).json").path)
        let planned = Workflow.plan(manifests: folder.appendingPathComponent("manifests").path, store: store, options: PlanOptions(now: now))
        guard let plan = planned.plan else { return }  // a fixture whose point is a refused plan
        let saved = try PlanDocument.readSealed(Data(PlanDocument(plan).sealed(key: nil).json.utf8), key: nil).get()
        let problems = SavedPlan.check(saved, state: planned.state, options: PlanOptions(now: now))
        #expect(!problems.contains { $0.code == .savedPlanInvalid }, "\(problems)")
    }

    @Test func hardening1_theSealCoversEveryChangeAndNeedsTheRightKey() throws {
        let change = Change(action: .create, id: ResourceID(org: "acme", kind: .app, key: "web"), before: nil,
                            after: ["visibility": .string("private")], reason: .added, location: nil)
        let plan = Plan(changes: [change], notices: [], evaluatedAt: Self.now, nextExpiry: nil, lineage: "l", serial: 1,
                        manifestDigest: String(repeating: "0", count: 64), onlyExpired: false)
        let plain = PlanDocument(plan).sealed(key: nil)
        let signed = PlanDocument(plan).sealed(key: "secret")
        #expect(plain.digest?.hasPrefix("sha256:") == true)
        #expect(signed.digest?.hasPrefix("hmac-sha256:") == true)
        func read(_ document: PlanDocument, key: String?) -> PlanFileError? {
            if case let .failure(problem) = PlanDocument.readSealed(Data(document.json.utf8), key: key) { return problem }
            return nil
        }
        #expect(read(plain, key: nil) == nil)
        #expect(read(signed, key: "secret") == nil)
        #expect(read(signed, key: nil) == .signedNeedsKey)
        #expect(read(plain, key: "secret") == .unsignedWithKey)
        #expect(read(signed, key: "other") == .tampered(signed: true))
        #expect(read(PlanDocument(plan), key: nil) == .unsealed)
        var edited = signed
        edited.changes[0].after = ["visibility": .string("public")]
        #expect(read(edited, key: "secret") == .tampered(signed: true))
        edited = plain
        edited.serial = 2
        #expect(read(edited, key: nil) == .tampered(signed: false))
        edited = plain
        edited.changes[0].key = "api"
        #expect(read(edited, key: nil) == .tampered(signed: false))
    }

    @Test func hardening5_theStateRecordsItsEvaluationInstant() throws {
        var state = State(lineage: "l", serial: 3)
        state.evaluatedAt = Self.now
        let text = String(decoding: StateCodec.encode(state), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"evaluated_at\": \"2026-11-23T12:00:00Z\",\n  \"format_version\": 1,"))
        #expect(try StateCodec.decode(Data(text.utf8)).get() == state)
        // A state written before the field existed has none; a malformed one is refused.
        #expect(try StateCodec.decode(StateCodec.encode(State(lineage: "l", serial: 3))).get().evaluatedAt == nil)
        let bad = text.replacingOccurrences(of: "2026-11-23T12:00:00Z", with: "yesterday")
        #expect(throws: (any Error).self) { try StateCodec.decode(Data(bad.utf8)).get() }

        let change = Change(action: .create, id: ResourceID(org: "acme", kind: .app, key: "web"), before: nil,
                            after: ["visibility": .string("private")], reason: .added, location: nil)
        func plan(at instant: Date) -> Plan {
            Plan(changes: [change], notices: [], evaluatedAt: instant, nextExpiry: nil, lineage: "l", serial: 3,
                 manifestDigest: "", onlyExpired: false)
        }
        #expect(Backdating.check(plan(at: Self.now.addingTimeInterval(-0.001)), state: state) != nil)
        #expect(Backdating.check(plan(at: Self.now), state: state) == nil)
        #expect(Backdating.check(plan(at: Self.now.addingTimeInterval(-86_400)), state: State(lineage: "l", serial: 3)) == nil)
    }

    @Test func hardening16_appendChainsRepairsAndVerifies() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        defer { unlink(path) }
        let log = AuditLog(path: path)
        let change = Change(action: .create, id: ResourceID(org: "acme", kind: .app, key: "web"), before: nil,
                            after: ["visibility": .string("private")], reason: .added, location: nil)
        let record = AuditRecord(time: Self.now, actor: "ci", change: change, result: "ok", evaluatedAt: Self.now)
        try log.append([record, record])
        #expect(try log.verify() == .intact(records: 2, unchainedPrefix: 0, repaired: [], tornEnd: false))
        // A torn end: reported, then marked by the next append.
        let fd = open(path, O_WRONLY | O_APPEND)
        _ = "{\"act".withCString { write(fd, $0, 5) }
        close(fd)
        #expect(try log.verify() == .intact(records: 2, unchainedPrefix: 0, repaired: [], tornEnd: true))
        try log.append([record])
        #expect(try log.verify() == .intact(records: 3, unchainedPrefix: 0, repaired: [3], tornEnd: false))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 5)
        // Any changed byte of a line before the last breaks the chain at the next line.
        var bytes = Array(text.utf8)
        bytes[12] ^= 0x01
        if case let .broken(line, _) = AuditLog.verify(bytes) { #expect(line == 2) } else { Issue.record("not broken") }
        // A cut-short line that no marker vouches for is broken.
        let glued = Array(text.replacingOccurrences(of: "{\"act\n", with: "{\"act\n{\"x\":1}\n").utf8)
        if case let .broken(line, _) = AuditLog.verify(glued) { #expect(line == 3) } else { Issue.record("not broken") }
        #expect(AuditLog.verify(Array("{\"a\":1}\n{\"a\":2}\n".utf8)) == .unchained(records: 2))
    }
}
