import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The state in a PostgreSQL database: one row of `rolecall_states` per state name, its audit records in
/// `rolecall_audit` (committed in the same transaction as the state they describe), a session advisory
/// lock keyed on the state's name, and compare-and-swap writes (`UPDATE ... WHERE name, lineage, serial`).
///
/// One backend holds one dedicated connection, opened on first use and kept for the life of the process,
/// so that the session lock taken before planning is still held when the state is written.
///
/// Synchronous by design (`StateBackend` is): every call waits on postgres-nio's futures with `wait()`.
/// Invariant: no method is ever called on one of NIO's event loop threads (rolecall's code runs on its
/// own threads and the cooperative pool; NIO traps a `wait()` on an event loop). The connection and the
/// staged audit records live behind a `Mutex`, so calls from several threads are serialised.
public final class PostgresStateBackend: StateBackend {
    public let url: PostgresStateURL
    /// How `lock` waits (pg_try_advisory_lock in a loop).
    public let retry: Retry
    private let session = Mutex(Session())
    let logger = Logger(label: "rolecall.state.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    struct Session {
        var connection: PostgresConnection?
        /// Audit records of the batch about to be written (see `PostgresAuditObserver`).
        var staged: [AuditRecord] = []
        /// The owner while this process holds the advisory lock.
        var lockOwner: LockOwner?
    }

    public init(url: PostgresStateURL, retry: Retry = .standard) {
        self.url = url
        self.retry = retry
    }

    /// postgres-nio requires a connection to be closed before it is released (it asserts in debug builds).
    deinit {
        session.withLock { s in
            if let connection = s.connection { _ = try? connection.close().wait() }
            s.connection = nil
        }
    }

    public var location: String { url.location }

    // MARK: Connection

    /// Runs `body` with the open connection (connecting, and creating the schema, on first use).
    func withConnection<T: Sendable>(_ body: (PostgresConnection, inout Session) throws(StateError) -> T) throws(StateError) -> T {
        try session.withLock { (s: inout Session) throws(StateError) -> T in
            if s.connection == nil || s.connection?.isClosed == true {
                if let lost = s.connection { _ = try? lost.close().wait() }
                s.connection = nil
                s.connection = try connect()
            }
            return try body(s.connection!, &s)
        }
    }

    private func connect() throws(StateError) -> PostgresConnection {
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try url.configuration()
        } catch {
            throw .unreadable(backend: location, reason: "TLS: \(Self.describe(error))")
        }
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: PostgresConnection.defaultEventLoopGroup.any(),
                                                        configuration: configuration, id: 1, logger: logger).wait()
        } catch {
            throw .unreadable(backend: location, reason: "cannot connect: \(Self.describe(error))")
        }
        do {
            try PostgresSchema.prepare(connection, logger: logger)
        } catch {
            _ = try? connection.close().wait()
            throw .unreadable(backend: location, reason: Self.describe(error))
        }
        return connection
    }

    func run(_ connection: PostgresConnection, _ query: PostgresQuery) throws -> PostgresQueryResult {
        try connection.query(query, logger: logger).wait()
    }

    /// What went wrong, without the connection details: the server's message (and SQLSTATE), or the client's.
    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                return message + (psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            if let underlying = psql.underlying, !(underlying is PSQLError) { return "\(psql.code): \(underlying)" }
            switch psql.code {
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown: return "the connection to the server was lost"
            default: return "\(psql.code)"
            }
        }
        if let schema = error as? PostgresSchema.Failure { return schema.description }
        return String(describing: error)
    }

    // MARK: StateBackend

    public func read() throws(StateError) -> State? {
        try withConnection { (connection, _) throws(StateError) -> State? in try readState(connection) }
    }

    private func readState(_ connection: PostgresConnection) throws(StateError) -> State? {
        let rows: PostgresQueryResult
        do {
            rows = try run(connection, "SELECT lineage, serial, data::text FROM rolecall_states WHERE name = \(url.name)")
        } catch {
            throw .unreadable(backend: location, reason: Self.describe(error))
        }
        guard let row = rows.first else { return nil }
        let (lineage, serial, text): (String, Int64, String)
        do {
            (lineage, serial, text) = try row.decode((String, Int64, String).self)
        } catch {
            throw .unreadable(backend: location, reason: Self.describe(error))
        }
        switch StateCodec.decode(Data(text.utf8)) {
        case let .success(state):
            guard state.lineage == lineage, state.serial == Int(serial) else {
                throw .invalid(backend: location, problem: .corrupt("the row's lineage/serial (\(lineage), \(serial)) differ from its data's"))
            }
            return state
        case let .failure(problem): throw .invalid(backend: location, problem: problem)
        }
    }

    /// The version stored now (nil: no state).
    private func currentVersion(_ connection: PostgresConnection) throws -> StateVersion? {
        let rows = try run(connection, "SELECT lineage, serial FROM rolecall_states WHERE name = \(url.name)")
        guard let row = rows.first else { return nil }
        let (lineage, serial) = try row.decode((String, Int64).self)
        return StateVersion(lineage: lineage, serial: Int(serial))
    }

    public func write(_ state: State, replacing expected: StateVersion?, holding lock: any StateLock) throws(StateError) {
        guard let held = lock as? PostgresStateLock, held.backend === self, held.isHeld else { throw .notLocked(backend: location) }
        let writing = StateVersion(lineage: state.lineage, serial: state.serial)
        if let expected, expected.lineage != writing.lineage || writing.serial <= expected.serial {
            throw .fork(backend: location, expected: expected, writing: writing)
        }
        guard !state.lineage.isEmpty else { throw .fork(backend: location, expected: expected, writing: writing) }
        let data = String(decoding: StateCodec.encode(state), as: UTF8.self)
        try withConnection { (first, s) throws(StateError) in
            let records = s.staged
            s.staged = []
            guard let owner = s.lockOwner else { throw .notLocked(backend: location) }
            var connection = first
            do {
                try relock(connection, owner: owner)
            } catch {
                // The session may have ended without the client noticing yet: nothing is written so far, so
                // one fresh connection is tried (it must take the lock again, and the write still compares).
                _ = try? connection.close().wait()
                s.connection = nil
                connection = try connect()
                s.connection = connection
                try relock(connection, owner: owner)
            }
            let updatedBy = records.first?.actor ?? owner.user
            try transaction(connection) { () throws(StateError) in
                let result: PostgresQueryResult
                do {
                    if let expected {
                        result = try run(connection, """
                            UPDATE rolecall_states SET lineage = \(writing.lineage), serial = \(Int64(writing.serial)),
                              data = \(data)::jsonb, updated_at = now(), updated_by = \(updatedBy)
                            WHERE name = \(url.name) AND lineage = \(expected.lineage) AND serial = \(Int64(expected.serial))
                            """)
                    } else {
                        result = try run(connection, """
                            INSERT INTO rolecall_states (name, lineage, serial, data, updated_at, updated_by)
                            VALUES (\(url.name), \(writing.lineage), \(Int64(writing.serial)), \(data)::jsonb, now(), \(updatedBy))
                            ON CONFLICT (name) DO NOTHING
                            """)
                    }
                } catch {
                    throw .unwritable(backend: location, reason: Self.describe(error))
                }
                guard result.metadata.rows == 1 else {
                    let found = try? currentVersion(connection)
                    throw .conflict(backend: location, expected: expected, found: found ?? nil)
                }
                try insertAudit(connection, records, serial: writing.serial)
            }
        }
    }

    /// After a lost connection (the server restarted, or an administrator ended the session) the advisory
    /// lock went with it: take it again at once or stop. The compare-and-swap still guards the write.
    private func relock(_ connection: PostgresConnection, owner: LockOwner) throws(StateError) {
        let (k1, k2) = url.lockKey
        do {
            let rows = try run(connection, """
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
                  AND objsubid = 2 AND classid::bigint = \(Int64(k1)) AND objid::bigint = \(Int64(k2))
                """)
            if try rows.first?.decode(Int64.self) ?? 0 > 0 { return }
        } catch {
            throw .unwritable(backend: location, reason: Self.describe(error))
        }
        guard try tryLock(connection, owner: owner) else {
            throw .unwritable(backend: location, reason: "the connection holding the lock was lost and another run holds "
                              + "the lock now; nothing was written: re-run plan")
        }
    }

    /// BEGIN, `body`, COMMIT; ROLLBACK when `body` throws.
    func transaction(_ connection: PostgresConnection, _ body: () throws(StateError) -> Void) throws(StateError) {
        do { _ = try run(connection, "BEGIN") } catch { throw .unwritable(backend: location, reason: Self.describe(error)) }
        do {
            try body()
        } catch {
            _ = try? run(connection, "ROLLBACK")
            throw error
        }
        do { _ = try run(connection, "COMMIT") } catch {
            _ = try? run(connection, "ROLLBACK")
            throw .unwritable(backend: location, reason: Self.describe(error))
        }
    }

    // MARK: Locking

    public func lock(owner: LockOwner, timeout: TimeInterval) throws(StateError) -> any StateLock {
        let taken = try retry.poll(for: timeout) { () throws(StateError) -> Bool? in
            try withConnection { (connection, s) throws(StateError) -> Bool? in
                guard try tryLock(connection, owner: owner) else { return nil }
                s.lockOwner = owner
                return true
            }
        }
        guard taken != nil else { throw .locked(backend: location, holder: holder()) }
        return PostgresStateLock(backend: self)
    }

    /// pg_try_advisory_lock on the state's key; when taken, records the holder in `rolecall_locks`.
    private func tryLock(_ connection: PostgresConnection, owner: LockOwner) throws(StateError) -> Bool {
        let (k1, k2) = url.lockKey
        do {
            let rows = try run(connection, "SELECT pg_try_advisory_lock(\(k1), \(k2))")
            guard try rows.first?.decode(Bool.self) == true else { return false }
            _ = try run(connection, """
                INSERT INTO rolecall_locks (name, backend_pid, user_name, host, pid, since)
                VALUES (\(url.name), pg_backend_pid(), \(owner.user), \(owner.host), \(Int64(owner.pid)), \(owner.since))
                ON CONFLICT (name) DO UPDATE SET backend_pid = excluded.backend_pid, user_name = excluded.user_name,
                  host = excluded.host, pid = excluded.pid, since = excluded.since
                """)
            return true
        } catch {
            throw .unwritable(backend: location, reason: "lock: \(Self.describe(error))")
        }
    }

    /// Who holds the lock now: the `rolecall_locks` row of the session that holds the advisory lock.
    func holder() -> LockOwner? {
        let (k1, k2) = url.lockKey
        let found = try? withConnection { (connection, _) throws(StateError) -> LockOwner? in
            guard let rows = try? run(connection, """
                SELECT r.user_name, r.host, r.pid, r.since FROM rolecall_locks r JOIN pg_locks l ON l.pid = r.backend_pid
                WHERE r.name = \(url.name) AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                  AND l.classid::bigint = \(Int64(k1)) AND l.objid::bigint = \(Int64(k2))
                """), let row = rows.first,
                let values = try? row.decode((String, String, Int64, String).self) else { return nil }
            var owner = LockOwner(pid: Int32(truncatingIfNeeded: values.2), host: values.1, user: values.0, since: Date())
            owner.since = values.3
            return owner
        }
        return found ?? nil
    }

    func unlock() {
        let (k1, k2) = url.lockKey
        session.withLock { s in
            s.lockOwner = nil
            s.staged = []
            guard let connection = s.connection, !connection.isClosed else { return }
            _ = try? run(connection, "DELETE FROM rolecall_locks WHERE name = \(url.name) AND backend_pid = pg_backend_pid()")
            _ = try? run(connection, "SELECT pg_advisory_unlock(\(k1), \(k2))")
        }
    }

    /// Runs one SQL statement on this backend's connection and returns each row's first column as text
    /// (tests and the benchmark inspect the tables and end sessions with it; rolecall itself never builds SQL text).
    func sqlFirstColumn(_ sql: String) throws -> [String?] {
        try withConnection { (connection, _) throws(StateError) -> [String?] in
            do {
                return try run(connection, PostgresQuery(unsafeSQL: sql)).map { row in
                    try row.decode(String?.self)
                }
            } catch {
                throw .unreadable(backend: location, reason: Self.describe(error))
            }
        }
    }

    func sessionStage(_ records: [AuditRecord]) {
        session.withLock { $0.staged += records }
    }

    var holdsLock: Bool { session.withLock { $0.lockOwner != nil } }
}

/// The advisory lock of a `PostgresStateBackend`; it dies with the session (a killed process frees it).
final class PostgresStateLock: StateLock, Sendable {
    let backend: PostgresStateBackend
    private let released = Mutex(false)

    init(backend: PostgresStateBackend) {
        self.backend = backend
    }

    var isHeld: Bool { !released.withLock { $0 } && backend.holdsLock }

    func release() {
        let first = released.withLock { done in
            defer { done = true }
            return !done
        }
        if first { backend.unlock() }
    }
}
