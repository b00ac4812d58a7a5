import Foundation
import Synchronization
import Testing
@testable import RolecallKit

/// A scratch folder, removed afterwards.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("rolecall-backend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func mode(_ name: String) throws -> Int {
        try ((FileManager.default.attributesOfItem(atPath: path(name))[.posixPermissions] as? NSNumber)?.intValue).unwrap()
    }
}

extension Optional {
    struct Missing: Error {}
    func unwrap() throws -> Wrapped {
        guard let self else { throw Missing() }
        return self
    }
}

/// A clock that moves only when the retry helper pauses: attempts are counted, nothing waits.
final class FakeClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 0))
    private let pauses = Mutex(0)

    var retry: Retry {
        Retry(interval: 0.25, clock: { self.now.withLock { $0 } }, pause: { seconds in
            self.pauses.withLock { $0 += 1 }
            self.now.withLock { $0 = $0.addingTimeInterval(seconds) }
        })
    }

    var pauseCount: Int { pauses.withLock { $0 } }
}

let someone = LockOwner(pid: 7, host: "ci-1", user: "alice", since: Date(timeIntervalSince1970: 0))

func state(_ lineage: String, _ serial: Int, members: [String] = []) -> State {
    var s = State(lineage: lineage, serial: serial)
    for m in members { s.resources[ResourceID(org: "acme", kind: .member, key: m)] = ["role": .string("member")] }
    return s
}

@Suite("state backend")
struct StateBackendTests {
    @Test func writeIsACompareAndSwapOnLineageAndSerial() throws {
        let dir = try Scratch()
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { backend.unlock(lock) }
        try backend.write(state("L", 1), replacing: nil, holding: lock)
        // Expecting no state where there is one, or an older serial: refused, nothing overwritten.
        #expect(throws: StateError.conflict(backend: backend.location, expected: nil, found: StateVersion(lineage: "L", serial: 1))) {
            try backend.write(state("M", 1), replacing: nil, holding: lock)
        }
        #expect(throws: StateError.conflict(backend: backend.location, expected: StateVersion(lineage: "L", serial: 0),
                                            found: StateVersion(lineage: "L", serial: 1))) {
            try backend.write(state("L", 2), replacing: StateVersion(lineage: "L", serial: 0), holding: lock)
        }
        try backend.write(state("L", 2), replacing: StateVersion(lineage: "L", serial: 1), holding: lock)
        #expect(try backend.read() == state("L", 2))
        let message = StateError.conflict(backend: "s.json", expected: nil, found: nil).description
        #expect(message.contains("someone else wrote") && message.contains("re-run plan"))
    }

    /// Issue 15: two runners that each read serial 5 must not both end at serial 6 with different content.
    @Test func forkIsRefused() throws {
        let dir = try Scratch()
        let first = FileStateBackend(path: dir.path("s.json"))
        let setup = try first.lock(owner: someone, timeout: 0)
        try first.write(state("L", 5), replacing: nil, holding: setup)
        setup.release()
        let second = FileStateBackend(path: dir.path("s.json"))
        let readByFirst = try #require(try first.read())
        let readBySecond = try #require(try second.read())

        let a = try first.lock(owner: someone, timeout: 0)
        try first.write(state("L", 6, members: ["a@acme.com"]), replacing: StateVersion(of: readByFirst), holding: a)
        a.release()
        let b = try second.lock(owner: someone, timeout: 0)
        defer { b.release() }
        #expect(throws: StateError.conflict(backend: second.location, expected: StateVersion(lineage: "L", serial: 5),
                                            found: StateVersion(lineage: "L", serial: 6))) {
            try second.write(state("L", 6, members: ["b@acme.com"]), replacing: StateVersion(of: readBySecond), holding: b)
        }
        #expect(try second.read() == state("L", 6, members: ["a@acme.com"]))
        // A state that does not descend from the version it replaces is refused before anything is read.
        #expect(throws: StateError.fork(backend: second.location, expected: StateVersion(lineage: "L", serial: 6),
                                        writing: StateVersion(lineage: "L", serial: 6))) {
            try second.write(state("L", 6, members: ["b@acme.com"]), replacing: StateVersion(lineage: "L", serial: 6), holding: b)
        }
        #expect(throws: StateError.fork(backend: second.location, expected: StateVersion(lineage: "L", serial: 6),
                                        writing: StateVersion(lineage: "other", serial: 7))) {
            try second.write(state("other", 7), replacing: StateVersion(lineage: "L", serial: 6), holding: b)
        }
    }

    @Test func writeNeedsTheBackendsOwnHeldLock() throws {
        let dir = try Scratch()
        let backend = FileStateBackend(path: dir.path("s.json"))
        let other = FileStateBackend(path: dir.path("t.json"))
        let foreign = try other.lock(owner: someone, timeout: 0)
        defer { foreign.release() }
        #expect(throws: StateError.notLocked(backend: backend.location)) { try backend.write(state("L", 1), replacing: nil, holding: foreign) }
        let released = try backend.lock(owner: someone, timeout: 0)
        released.release()
        #expect(throws: StateError.notLocked(backend: backend.location)) { try backend.write(state("L", 1), replacing: nil, holding: released) }
        #expect(try backend.read() == nil)
    }

    @Test func lockTimeoutWaitsThroughTheRetryHelper() throws {
        let dir = try Scratch()
        let holder = FileStateBackend(path: dir.path("s.json"))
        let held = try holder.lock(owner: someone, timeout: 0)
        defer { held.release() }
        let clock = FakeClock()
        let waiting = FileStateBackend(path: dir.path("s.json"), retry: clock.retry)
        #expect(throws: StateError.locked(backend: waiting.location, holder: someone)) { try waiting.lock(owner: someone, timeout: 1) }
        // Tried at 0, 0.25, 0.5, 0.75 and 1 s: four pauses of the fake clock, no real waiting.
        #expect(clock.pauseCount == 4)
        let atOnce = FakeClock()
        #expect(throws: StateError.self) { try FileStateBackend(path: dir.path("s.json"), retry: atOnce.retry).lock(owner: someone, timeout: 0) }
        #expect(atOnce.pauseCount == 0)
    }

    @Test func retryReturnsTheFirstSuccess() throws {
        let clock = FakeClock()
        var attempts = 0
        let value = try clock.retry.poll(for: 10) { () throws(StateError) -> String? in
            attempts += 1
            return attempts == 3 ? "got it" : nil
        }
        #expect(value == "got it")
        #expect(attempts == 3)
        #expect(clock.pauseCount == 2)
    }

    @Test func errorsNameTheBackend() {
        let backend = FileStateBackend(path: "./x.json")
        #expect(backend.description == "state ./x.json")
        #expect(StateError.unwritable(backend: backend.location, reason: "disk full").description == "cannot write state ./x.json: disk full")
    }

    @Test func hardening9_newFilesAre0600AndExistingOnesKeepTheirMode() async throws {
        let dir = try Scratch()
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        try backend.write(state("L", 1), replacing: nil, holding: lock)
        #expect(try dir.mode("s.json") == 0o600)
        #expect(try dir.mode("s.json.lock") == 0o600)
        try AuditLog(path: dir.path("audit.jsonl")).append([AuditRecord(
            time: fixedNow, actor: "a", change: Change(action: .delete, id: ResourceID(org: "acme", kind: .app, key: "x"), before: [:],
                                                       after: nil, reason: .removedFromManifests, location: nil), result: "ok")])
        #expect(try dir.mode("audit.jsonl") == 0o600)

        #expect(chmod(dir.path("s.json"), 0o640) == 0)
        try backend.write(state("L", 2), replacing: StateVersion(lineage: "L", serial: 1), holding: lock)
        #expect(try dir.mode("s.json") == 0o640)
        #expect(try dir.mode("s.json.backup") == 0o640)
        try backend.write(state("L", 3), replacing: StateVersion(lineage: "L", serial: 2), holding: lock)
        #expect(try dir.mode("s.json") == 0o640)
        var info = stat()
        #expect(stat(dir.path("s.json"), &info) == 0 && info.st_uid == geteuid())
    }

    @Test func hardening6_plantedLockSymlink() throws {
        let dir = try Scratch()
        try "precious".write(toFile: dir.path("victim"), atomically: true, encoding: .utf8)
        #expect(symlink(dir.path("victim"), dir.path("s.json.lock")) == 0)
        let backend = FileStateBackend(path: dir.path("s.json"))
        #expect(throws: StateError.self) { try backend.lock(owner: someone, timeout: 0) }
        #expect(try String(contentsOfFile: dir.path("victim"), encoding: .utf8) == "precious")
    }

    @Test func hardening6_plantedAuditLogSymlink() throws {
        let dir = try Scratch()
        try "precious".write(toFile: dir.path("victim"), atomically: true, encoding: .utf8)
        #expect(symlink(dir.path("victim"), dir.path("audit.jsonl")) == 0)
        let record = AuditRecord(time: fixedNow, actor: "a", change: Change(action: .delete, id: ResourceID(org: "acme", kind: .app, key: "x"),
                                                                            before: [:], after: nil, reason: .removedFromManifests, location: nil),
                                 result: "ok")
        #expect(throws: StateError.self) { try AuditLog(path: dir.path("audit.jsonl")).append([record]) }
        #expect(try String(contentsOfFile: dir.path("victim"), encoding: .utf8) == "precious")
    }

    @Test func hardening6_plantedTemporaryNameSymlink() throws {
        let dir = try Scratch()
        try "precious".write(toFile: dir.path("victim"), atomically: true, encoding: .utf8)
        // The name the temporary file had before it came from mkstemp.
        #expect(symlink(dir.path("victim"), dir.path(".s.json.tmp-\(getpid())")) == 0)
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        try backend.write(state("L", 1), replacing: nil, holding: lock)
        #expect(try String(contentsOfFile: dir.path("victim"), encoding: .utf8) == "precious")
        #expect(try backend.read() == state("L", 1))
    }

    @Test func hardening6_stateThatIsASymlinkIsRefused() throws {
        let dir = try Scratch()
        let real = FileStateBackend(path: dir.path("real.json"))
        let realLock = try real.lock(owner: someone, timeout: 0)
        try real.write(state("L", 1), replacing: nil, holding: realLock)
        realLock.release()
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.path("real.json")))
        #expect(symlink(dir.path("real.json"), dir.path("s.json")) == 0)
        let linked = FileStateBackend(path: dir.path("s.json"))
        #expect(throws: StateError.self) { try linked.read() }
        let lock = try linked.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        #expect(throws: StateError.self) { try linked.write(state("L", 2), replacing: StateVersion(lineage: "L", serial: 1), holding: lock) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("real.json"))) == before)
    }

    @Test func hardening6_stateThatIsAFIFOIsRefusedWithoutHanging() throws {
        let dir = try Scratch()
        #expect(mkfifo(dir.path("s.json"), 0o600) == 0)
        let backend = FileStateBackend(path: dir.path("s.json"))
        do {
            _ = try backend.read()
            Issue.record("a FIFO was read as a state")
        } catch {
            #expect(error.description.contains("FIFO"))
        }
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        #expect(throws: StateError.self) { try backend.write(state("L", 1), replacing: nil, holding: lock) }
        try FileManager.default.createDirectory(atPath: dir.path("d.json"), withIntermediateDirectories: false)
        #expect(throws: StateError.self) { try FileStateBackend(path: dir.path("d.json")).read() }
    }

    @Test func hardening10_auditLogOnAStateFileIsRecognisedByInode() throws {
        let dir = try Scratch()
        try FileManager.default.createDirectory(atPath: dir.path("sub"), withIntermediateDirectories: false)
        let backend = FileStateBackend(path: dir.path("s.json"))
        let lock = try backend.lock(owner: someone, timeout: 0)
        defer { lock.release() }
        try backend.write(state("L", 1), replacing: nil, holding: lock)
        #expect(link(dir.path("s.json"), dir.path("hard")) == 0)
        #expect(symlink(dir.path("s.json"), dir.path("soft")) == 0)
        #expect(backend.ownsFile(atPath: dir.path("s.json")))
        #expect(backend.ownsFile(atPath: dir.path("sub/../s.json")))
        #expect(backend.ownsFile(atPath: dir.path("hard")))
        #expect(backend.ownsFile(atPath: dir.path("soft")))
        #expect(backend.ownsFile(atPath: dir.path("s.json.lock")))
        #expect(backend.ownsFile(atPath: dir.path("sub/../s.json.backup")), "the backup to come")
        #expect(!backend.ownsFile(atPath: dir.path("audit.jsonl")))
        #expect(!backend.ownsFile(atPath: dir.path("sub/s.json")))
    }
}
