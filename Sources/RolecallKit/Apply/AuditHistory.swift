import Foundation

/// One record of the audit log, read back.
public struct AuditEntry: Sendable {
    public var line: Int
    public var time: Date
    public var actor: String
    public var action: Change.Action
    public var id: ResourceID
    public var reason: String
    public var ticket: String?
    /// `ok`, or `failed: …`.
    public var result: String
    public var before: Attributes?
    public var after: Attributes?

    /// Whether the record carries the attributes its action needs to be replayed (records written
    /// before rolecall logged them name only the resource).
    public var isReplayable: Bool { action == .delete || after != nil }
    public var succeeded: Bool { result == "ok" }
    /// A second record for a change whose batch was not saved in the state (see `AuditObserver`).
    public var undoesSave: Bool { result.hasPrefix("failed: applied but not saved") }
}

/// The audit log read back (`AuditLog` writes it), for reports and `access --at`.
public struct AuditHistory: Sendable {
    /// Records in log order; lines that are not records (markers, torn lines) are left out.
    public var entries: [AuditEntry]

    /// Reads the log at `path`; a log that does not exist is empty.
    public static func read(path: String) throws(StateError) -> AuditHistory {
        guard FileManager.default.fileExists(atPath: path) else { return AuditHistory(entries: []) }
        do {
            let (fd, info) = try SafeFile.openRegular(path)
            defer { close(fd) }
            return parse(try SafeFile.readAll(fd, sizeHint: Int(info.st_size)))
        } catch {
            throw .unreadable(backend: path, reason: error.description)
        }
    }

    public static func parse(_ bytes: [UInt8]) -> AuditHistory {
        var entries: [AuditEntry] = []
        for (index, line) in bytes.split(separator: 0x0A).enumerated() {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line)),
                  case let .object(f) = value, let entry = entry(f, line: index + 1) else { continue }
            entries.append(entry)
        }
        return AuditHistory(entries: entries)
    }

    private static func entry(_ f: [String: JSONValue], line: Int) -> AuditEntry? {
        func text(_ name: String) -> String? {
            if case let .string(s)? = f[name] { return s }
            return nil
        }
        func attributes(_ name: String) -> Attributes? {
            guard case let .object(members)? = f[name] else { return nil }
            var a = Attributes()
            for (key, json) in members { a[key] = Value(json) }
            return a
        }
        guard let time = text("time").flatMap(Timestamp.parse), let action = text("action").flatMap(Change.Action.init(rawValue:)),
              let org = text("org"), let kind = text("kind").flatMap(ResourceKind.init(rawValue:)), let key = text("key") else { return nil }
        return AuditEntry(line: line, time: time, actor: text("actor") ?? "", action: action, id: ResourceID(org: org, kind: kind, key: key),
                          reason: text("reason") ?? "", ticket: text("ticket"), result: text("result") ?? "",
                          before: attributes("before"), after: attributes("after"))
    }

    /// The resources as the log says they were at `instant`, each with the record that put it there.
    public struct Snapshot: Sendable {
        public var resources: [ResourceID: Attributes] = [:]
        public var since: [ResourceID: AuditEntry] = [:]
        /// Resources changed or removed before the log created them: the log began after the state did.
        public var unseen: [ResourceID] = []
    }

    /// The first record the log holds without the attributes replaying needs, if any.
    public var firstUnreplayable: AuditEntry? { entries.first { $0.succeeded && !$0.isReplayable } }

    /// Replays every successful change recorded at or before `instant`, from an empty state. A
    /// change applied but then not saved (its batch's state write failed) is taken back.
    public func replay(until instant: Date) -> Snapshot {
        var snapshot = Snapshot()
        var previous: [ResourceID: (value: Attributes?, since: AuditEntry?)] = [:]
        for entry in entries where entry.time <= instant {
            let id = entry.id
            if entry.undoesSave {
                if let last = previous[id] {
                    snapshot.resources[id] = last.value
                    snapshot.since[id] = last.since
                }
                continue
            }
            guard entry.succeeded else { continue }
            previous[id] = (snapshot.resources[id], snapshot.since[id])
            if entry.action != .create, snapshot.resources[id] == nil { snapshot.unseen.append(id) }
            switch entry.action {
            case .delete:
                snapshot.resources[id] = nil
                snapshot.since[id] = nil
            case .create, .update:
                snapshot.resources[id] = entry.after
                snapshot.since[id] = entry
            }
        }
        return snapshot
    }
}
