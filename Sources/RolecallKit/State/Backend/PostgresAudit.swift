import Foundation
import PostgresNIO

/// A backend that keeps the audit records itself, in the same transaction as the state they describe.
public protocol AuditingStateBackend: StateBackend {
    /// Holds `records` until the next `write`, which commits them with the state (or drops them if it fails).
    func stageAudit(_ records: [AuditRecord])
    /// Records `records` at once, outside any state write (failed changes, batches whose write failed).
    func appendAudit(_ records: [AuditRecord]) throws(StateError)
}

extension PostgresStateBackend: AuditingStateBackend {
    public func stageAudit(_ records: [AuditRecord]) {
        guard !records.isEmpty else { return }
        sessionStage(records)
    }

    public func appendAudit(_ records: [AuditRecord]) throws(StateError) {
        guard !records.isEmpty else { return }
        try withConnection { (connection, _) throws(StateError) in try insertAudit(connection, records, serial: nil) }
    }

    /// One INSERT of every record (arrays unnested, so that a 100k-change batch is one statement).
    func insertAudit(_ connection: PostgresConnection, _ records: [AuditRecord], serial: Int?) throws(StateError) {
        guard !records.isEmpty else { return }
        var time: [String] = [], actor: [String] = [], action: [String] = [], org: [String] = [], kind: [String] = []
        var key: [String] = [], reason: [String] = [], result: [String] = [], ticket: [String] = []
        for record in records {
            time.append(Timestamp.format(record.time))
            actor.append(record.actor)
            action.append(record.change.action.rawValue)
            org.append(record.change.id.org)
            kind.append(record.change.id.kind.rawValue)
            key.append(record.change.id.key)
            reason.append(record.change.reason.description)
            result.append(record.result)
            if case let .string(t)? = record.change.after?["ticket"] ?? record.change.before?["ticket"] { ticket.append(t) } else { ticket.append("") }
        }
        let serialValue = serial.map(Int64.init)
        do {
            _ = try run(connection, """
                INSERT INTO rolecall_audit (state_name, serial, time, actor, action, org, kind, key, reason, result, ticket)
                SELECT \(url.name), \(serialValue), t::timestamptz, a, ac, o, k, ke, r, re, nullif(ti, '')
                FROM unnest(\(time)::text[], \(actor)::text[], \(action)::text[], \(org)::text[], \(kind)::text[],
                            \(key)::text[], \(reason)::text[], \(result)::text[], \(ticket)::text[])
                  AS u(t, a, ac, o, k, ke, r, re, ti)
                """)
        } catch {
            throw .unwritable(backend: location, reason: "audit: \(Self.describe(error))")
        }
    }

    /// The names of the states in this database, in order.
    public func stateNames() throws(StateError) -> [String] {
        try withConnection { (connection, _) throws(StateError) -> [String] in
            do {
                return try run(connection, "SELECT name FROM rolecall_states ORDER BY name").map { try $0.decode(String.self) }
            } catch {
                throw .unreadable(backend: location, reason: Self.describe(error))
            }
        }
    }
}

/// The audit log of a run whose state is in PostgreSQL: a batch's records are staged and committed in the
/// same transaction as the state write that follows (`Applier` writes the state after `willCommit` when the
/// batch has a succeeded change); a batch with none, and a batch whose write failed, are recorded at once.
public struct TransactionalAuditObserver: ApplyObserver {
    public var backend: any AuditingStateBackend
    public var actor: String
    /// The instant the run's plan evaluated expiries at; written in every record.
    public var evaluatedAt: Date?

    public init(backend: any AuditingStateBackend, actor: String, evaluatedAt: Date? = nil) {
        self.backend = backend
        self.actor = actor
        self.evaluatedAt = evaluatedAt
    }

    public func willCommit(_ batch: [ChangeResult]) async throws {
        let records = batch.map { result in
            switch result.outcome {
            case .applied:
                return AuditRecord(time: result.time, actor: actor, change: result.change, result: "ok", evaluatedAt: evaluatedAt)
            case let .failed(message):
                return AuditRecord(time: result.time, actor: actor, change: result.change, result: "failed: \(message)",
                                   evaluatedAt: evaluatedAt)
            }
        }
        if batch.contains(where: \.succeeded) {
            backend.stageAudit(records)
        } else {
            try backend.appendAudit(records)
        }
    }

    public func commitFailed(_ batch: [ChangeResult], error: StateError) async {
        let records = batch.filter(\.succeeded).map {
            AuditRecord(time: Date(), actor: actor, change: $0.change, result: "failed: applied but not saved in the state: \(error)")
        }
        try? backend.appendAudit(records)
    }
}

/// Opens the backend a `--state` value names: a postgres:// URL, else a file path.
public enum StateBackends {
    public static func open(_ location: String, environment: [String: String]) throws(StateError) -> any StateBackend {
        if PostgresStateURL.isPostgres(location) {
            return PostgresStateBackend(url: try PostgresStateURL(location, environment: environment))
        }
        return FileStateBackend(path: location)
    }
}
