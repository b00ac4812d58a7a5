import Crypto
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
    /// The instant the run evaluated expiries at (`--now`, or the clock when it planned).
    public var evaluatedAt: Date?

    public init(time: Date, actor: String, change: Change, result: String, evaluatedAt: Date? = nil) {
        self.time = time
        self.actor = actor
        self.change = change
        self.result = result
        self.evaluatedAt = evaluatedAt
    }

    /// One JSON object without `prev`, keys in order, no spaces, newline-terminated.
    public var jsonLine: String { line(prev: nil) + "\n" }

    /// One JSON object, keys in order, no spaces, no newline (written directly: an apply from an empty
    /// state logs one line per resource). `prev` chains it to the line before (see `AuditLog`).
    public func line(prev: String?) -> String {
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
        // The resource before and after the change (metadata only: no attribute ever holds a secret),
        // so that the log can be replayed to say who had what at a past instant (`access --at`).
        for (name, attributes) in [("after", change.after), ("before", change.before)] {
            guard let attributes else { continue }
            out += ",\"\(name)\":" + Self.json(attributes).compact
        }
        field("evaluated_at", evaluatedAt.map(Timestamp.format))
        field("key", change.id.key)
        field("kind", change.id.kind.rawValue)
        field("org", change.id.org)
        field("prev", prev)
        field("reason", change.reason.description)
        field("result", result)
        field("ticket", ticket)
        field("time", Timestamp.format(time))
        return out + "}"
    }
}

extension AuditRecord {
    /// A resource's attributes as a JSON object.
    static func json(_ attributes: Attributes) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for (name, value) in attributes {
            switch value {
            case let .string(s): members[name] = .string(s)
            case let .bool(b): members[name] = .bool(b)
            case let .int(i): members[name] = .int(i)
            case let .strings(list): members[name] = .array(list.map(JSONValue.string))
            case let .map(lists): members[name] = .object(lists.mapValues { .array($0.map(JSONValue.string)) })
            }
        }
        return .object(members)
    }
}

/// Appends JSON lines; never rewrites what is there. The file is opened without following a symbolic
/// link and created 0600; `/dev/null` and other devices are accepted, a folder is not.
///
/// Each line carries `prev`, the SHA-256 (hex) of the line before it (empty for the first line), so a
/// deleted, inserted, reordered or edited line breaks the chain (`AuditLog.verify`). A last line cut
/// short (a failed append, a killed run) is closed with a newline and followed by a `repaired` marker
/// chained to it: the next record is never glued to it, and the partial text is kept as it was. An
/// append that fails part way (disk full) is cut back to where it started.
public struct AuditLog: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public func append(_ records: [AuditRecord]) throws(StateError) {
        guard !records.isEmpty else { return }
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link, which rolecall does not follow" : String(cString: strerror(errno))
            throw .unwritable(backend: path, reason: reason)
        }
        defer { close(fd) }
        var text = ""
        var info = stat()
        let regular = fstat(fd, &info) == 0 && SafeFile.isRegular(info)
        do {
            let end = try Self.end(of: fd)
            var prev = end.lastLine.map(Self.hash) ?? ""
            if let torn = end.torn {
                prev = Self.hash(torn)
                let marker = Self.repairMarker(prev: prev, time: records[0].time)
                text += "\n" + marker + "\n"
                prev = Self.hash(Array(marker.utf8))
            }
            for record in records {
                let line = record.line(prev: prev)
                text += line + "\n"
                prev = Self.hash(Array(line.utf8))
            }
            try SafeFile.writeAll(fd, Data(text.utf8))
        } catch {
            // A write cut short (disk full, a file size limit) is taken back whole: the log then says
            // nothing about a batch the state will not hold. (If even that fails, the next append marks
            // the cut-short line.)
            if regular { _ = ftruncate(fd, info.st_size) }
            throw .unwritable(backend: path, reason: error.description)
        }
        // fsync fails with EINVAL on things that are not files (/dev/null, a pipe): nothing to flush there.
        guard fsync(fd) == 0 || errno == EINVAL else { throw .unwritable(backend: path, reason: String(cString: strerror(errno))) }
    }

    /// The line that marks a cut-short line before it as not a record.
    static func repairMarker(prev: String, time: Date) -> String {
        "{\"event\":\"repaired\",\"note\":\"the line before was cut short (a failed write or a killed run) and is not a record\","
            + "\"prev\":\"\(prev)\",\"time\":\"\(Timestamp.format(time))\"}"
    }

    /// SHA-256 of a line's bytes (without its newline), hex.
    static func hash(_ line: [UInt8]) -> String {
        SHA256.hash(data: line).hexString
    }

    /// The end of a regular file: its last complete line, and the text after it when the file does not
    /// end with a newline. Nothing for devices and pipes.
    static func end(of fd: Int32) throws(SafeFile.Failure) -> (lastLine: [UInt8]?, torn: [UInt8]?) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .posix("fstat") }
        guard SafeFile.isRegular(info), info.st_size > 0 else { return (nil, nil) }
        var tail: [UInt8] = []
        var offset = Int(info.st_size)
        // Read backwards until the last two newlines (or the start of the file) are in hand.
        while offset > 0, tail.count { $0 == 0x0A } < 2 {
            let size = min(65_536, offset)
            offset -= size
            var chunk = [UInt8](repeating: 0, count: size)
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, off_t(offset)) }
            guard n == size else { throw .posix("pread") }
            tail = chunk + tail
        }
        let newlines = tail.indices.filter { tail[$0] == 0x0A }
        let torn: [UInt8]? = tail.last == 0x0A ? nil : Array(tail[((newlines.last ?? -1) + 1)...])
        guard let lastEnd = newlines.last else { return (nil, torn) }
        let lastStart = newlines.count >= 2 ? newlines[newlines.count - 2] + 1 : 0
        return (Array(tail[lastStart..<lastEnd]), torn)
    }
}

/// The audit log as a run's observer: a batch's records are written and flushed before the state that
/// contains the batch is saved (a failure to write them stops the run before that save), a failed change
/// is recorded as failed, and a batch whose save then failed gets a second record saying so.
public struct AuditObserver: ApplyObserver {
    public var log: AuditLog
    public var actor: String
    /// The instant the run's plan evaluated expiries at; written in every record.
    public var evaluatedAt: Date?

    public init(log: AuditLog, actor: String, evaluatedAt: Date? = nil) {
        self.log = log
        self.actor = actor
        self.evaluatedAt = evaluatedAt
    }

    public func willCommit(_ batch: [ChangeResult]) async throws {
        try log.append(batch.map { result in
            switch result.outcome {
            case .applied:
                return AuditRecord(time: result.time, actor: actor, change: result.change, result: "ok", evaluatedAt: evaluatedAt)
            case let .failed(message):
                return AuditRecord(time: result.time, actor: actor, change: result.change, result: "failed: \(message)",
                                   evaluatedAt: evaluatedAt)
            }
        })
    }

    public func commitFailed(_ batch: [ChangeResult], error: StateError) async {
        let records = batch.filter(\.succeeded).map {
            AuditRecord(time: Date(), actor: actor, change: $0.change, result: "failed: applied but not saved in the state: \(error)",
                        evaluatedAt: evaluatedAt)
        }
        try? log.append(records)
    }
}
