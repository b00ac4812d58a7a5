import Foundation

/// Something that carries out changes: the state file itself, later a SCIM server.
/// A target applies one change at a time; a failure stops the run after what was already applied.
public protocol ApplyTarget {
    mutating func apply(_ change: Change) throws
}

/// The built-in target: the state file is the system of record, so applying a change is recording it.
public struct StateFileTarget: ApplyTarget {
    public init() {}
    public mutating func apply(_ change: Change) throws {}
}

/// Why a saved plan may no longer be applied.
public enum Staleness: Sendable, Equatable, CustomStringConvertible {
    case otherLineage(plan: String, state: String)
    case serialMoved(plan: Int, state: Int)
    case expiryPassed(String)

    public var description: String {
        switch self {
        case let .otherLineage(plan, state):
            return "plan is stale: re-run plan (it was made for state lineage \(plan), this state is \(state))"
        case let .serialMoved(plan, state):
            return "plan is stale: re-run plan (the state changed since planning: serial \(plan) -> \(state))"
        case let .expiryPassed(at):
            return "plan is stale: re-run plan (an expiry passed at \(at), after the plan was made)"
        }
    }

    /// Checks a saved plan against the current state and clock.
    public static func check(_ plan: Plan, state: State, now: Date) -> Staleness? {
        if plan.lineage != state.lineage { return .otherLineage(plan: plan.lineage, state: state.lineage) }
        if plan.serial != state.serial { return .serialMoved(plan: plan.serial, state: state.serial) }
        if let boundary = plan.nextExpiry, boundary <= now { return .expiryPassed(Timestamp.format(boundary)) }
        return nil
    }
}

/// One applied (or failed) change, as the audit log records it.
public struct AuditRecord: Sendable {
    public var time: Date
    public var actor: String
    public var change: Change
    /// `ok`, or the failure message.
    public var result: String

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

/// Appends JSON lines; never rewrites what is there.
public struct AuditLog: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public func append(_ records: [AuditRecord]) throws(StateError) {
        guard !records.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let text = records.map(\.jsonLine).joined()
        let ok = text.withCString { pointer -> Bool in
            var offset = 0
            let count = strlen(pointer)
            while offset < count {
                let n = write(fd, pointer + offset, count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        // fsync fails with EINVAL on things that are not files (/dev/null, a pipe): nothing to flush there.
        guard ok, fsync(fd) == 0 || errno == EINVAL else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
    }
}

public struct ApplyOutcome: Sendable {
    public var state: State
    public var applied: [Change]
    /// The change that failed and why; nil when every change was applied.
    public var failure: (change: Change, message: String)?
}

/// Runs a plan's changes in order through a target, recording each in the state.
public enum Applier {
    public static func run(_ plan: Plan, on state: State, target: inout some ApplyTarget) -> ApplyOutcome {
        var state = state
        var applied: [Change] = []
        for change in plan.changes {
            do {
                try target.apply(change)
            } catch {
                return ApplyOutcome(state: state, applied: applied, failure: (change, String(describing: error)))
            }
            state.apply(change)
            applied.append(change)
        }
        return ApplyOutcome(state: state, applied: applied, failure: nil)
    }
}
