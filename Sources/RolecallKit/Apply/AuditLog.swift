import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One applied (or failed) change, as the audit log records it.
public struct AuditRecord: Sendable {
    public var time: Date
    public var actor: String
    public var change: Change
    /// `ok`, or the failure message.
    public var result: String

    public init(time: Date, actor: String, change: Change, result: String) {
        self.time = time
        self.actor = actor
        self.change = change
        self.result = result
    }

    /// One JSON object, keys in order, no spaces, newline-terminated (written directly: an apply from an
    /// empty state logs one line per resource).
    public var jsonLine: String {
        var ticket: String?
        if case let .string(t)? = change.after?["ticket"] ?? change.before?["ticket"] { ticket = t }
        var out = "{"
        func field(_ name: String, _ value: String?) {
            guard let value else { return }
            if out.utf8.count > 1 { out += "," }
            out += "\"\(name)\":"
            JSONValue.quote(value, into: &out)
        }
        field("action", change.action.rawValue)
        field("actor", actor)
        field("key", change.id.key)
        field("kind", change.id.kind.rawValue)
        field("org", change.id.org)
        field("reason", change.reason.description)
        field("result", result)
        field("ticket", ticket)
        field("time", Timestamp.format(time))
        return out + "}\n"
    }
}

/// Appends JSON lines; never rewrites what is there. The file is opened without following a symbolic
/// link and created 0600; `/dev/null` and other devices are accepted, a folder is not.
public struct AuditLog: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public func append(_ records: [AuditRecord]) throws(StateError) {
        guard !records.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link, which rolecall does not follow" : String(cString: strerror(errno))
            throw .unwritable(backend: path, reason: reason)
        }
        defer { close(fd) }
        do {
            try SafeFile.writeAll(fd, Data(records.map(\.jsonLine).joined().utf8))
        } catch {
            throw .unwritable(backend: path, reason: error.description)
        }
        // fsync fails with EINVAL on things that are not files (/dev/null, a pipe): nothing to flush there.
        guard fsync(fd) == 0 || errno == EINVAL else { throw .unwritable(backend: path, reason: String(cString: strerror(errno))) }
    }
}

/// The audit log as a run's observer: a batch's records are written and flushed before the state that
/// contains the batch is saved (a failure to write them stops the run before that save), a failed change
/// is recorded as failed, and a batch whose save then failed gets a second record saying so.
public struct AuditObserver: ApplyObserver {
    public var log: AuditLog
    public var actor: String

    public init(log: AuditLog, actor: String) {
        self.log = log
        self.actor = actor
    }

    public func willCommit(_ batch: [ChangeResult]) async throws {
        try log.append(batch.map { result in
            switch result.outcome {
            case .applied: return AuditRecord(time: result.time, actor: actor, change: result.change, result: "ok")
            case let .failed(message): return AuditRecord(time: result.time, actor: actor, change: result.change, result: "failed: \(message)")
            }
        })
    }

    public func commitFailed(_ batch: [ChangeResult], error: StateError) async {
        let records = batch.filter(\.succeeded).map {
            AuditRecord(time: Date(), actor: actor, change: $0.change, result: "failed: applied but not saved in the state: \(error)")
        }
        try? log.append(records)
    }
}
