import Foundation

/// Where state lives: the file backend today (`FileStateBackend`), a PostgreSQL one next to it later.
/// The planner never sees a backend; `plan` reads through it and `apply` locks, reads, writes and unlocks.
///
/// Every write is a compare-and-swap: it names the version (lineage and serial) it replaces, and a backend
/// whose state is at another version refuses it with `StateError.conflict` (someone else wrote: re-plan).
/// The calls are synchronous: `Workflow.plan` reads synchronously, and a network backend can wait on its
/// client's futures off the cooperative pool.
public protocol StateBackend: Sendable, CustomStringConvertible {
    /// Where the state lives, as the user named it (a path, a URL without its password): what errors show.
    var location: String { get }
    /// The current state; nil when there is none yet (first run).
    func read() throws(StateError) -> State?
    /// Takes the exclusive lock that `apply` holds, waiting up to `timeout` seconds (0: fail at once),
    /// through `Retry`.
    func lock(owner: LockOwner, timeout: TimeInterval) throws(StateError) -> any StateLock
    /// Replaces the state at version `expected` (nil: there is no state yet) with `state`, atomically: a
    /// reader sees the old or the new one, never a mix. `state` must descend from `expected` (same lineage,
    /// a higher serial); the backend re-reads its current version under `lock` and refuses a mismatch.
    func write(_ state: State, replacing expected: StateVersion?, holding lock: any StateLock) throws(StateError)
    /// Releases a lock taken by `lock(owner:timeout:)`.
    func unlock(_ lock: any StateLock)
    /// Whether writing `path` would write one of this backend's own files (compared by device and inode,
    /// so another spelling or a link to it counts). Backends without files answer false.
    func ownsFile(atPath path: String) -> Bool
}

extension StateBackend {
    public var description: String { "state \(location)" }
    public func unlock(_ lock: any StateLock) { lock.release() }
    public func ownsFile(atPath path: String) -> Bool { false }
}

/// The name `StateBackend` had before it gained compare-and-swap.
public typealias StateStore = StateBackend

/// A held lock; released by `release()` (or the backend's `unlock`) or when the holding process ends.
public protocol StateLock: Sendable {
    func release()
}

/// The identity of one written state: a saved plan and every write name the version they start from.
public struct StateVersion: Sendable, Hashable, CustomStringConvertible {
    public var lineage: String
    public var serial: Int

    public init(lineage: String, serial: Int) {
        self.lineage = lineage
        self.serial = serial
    }

    /// The version of `state`; nil for the empty state of a first run (no lineage yet).
    public init?(of state: State) {
        guard !state.lineage.isEmpty else { return nil }
        self.init(lineage: state.lineage, serial: state.serial)
    }

    /// The serial of the next write, or an error at the end of the range (a state at Int64.max).
    public func nextSerial(in backend: String) throws(StateError) -> Int {
        let (next, overflow) = serial.addingReportingOverflow(1)
        guard !overflow else { throw .serialExhausted(backend: backend, serial: serial) }
        return next
    }

    public var description: String { "lineage \(lineage), serial \(serial)" }
}

/// Who holds the lock, recorded for whoever is kept waiting.
public struct LockOwner: Sendable, Hashable, Codable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    public var user: String
    public var since: String

    public init(pid: Int32, host: String, user: String, since: Date) {
        self.pid = pid
        self.host = host
        self.user = user
        self.since = Timestamp.format(since)
    }

    public var description: String { "\(user)@\(host), pid \(pid), since \(since)" }
}

/// What went wrong with a backend. `backend` is the backend's `location` (a path, a URL), never more.
public enum StateError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(backend: String, reason: String)
    case invalid(backend: String, problem: StateCodec.Failure)
    case unwritable(backend: String, reason: String)
    case locked(backend: String, holder: LockOwner?)
    /// The state is not at the version the write expected to replace: someone else wrote it.
    case conflict(backend: String, expected: StateVersion?, found: StateVersion?)
    /// The state handed to a write does not descend from the version it replaces (another lineage, or not a
    /// higher serial): writing it would fork the history.
    case fork(backend: String, expected: StateVersion?, writing: StateVersion)
    /// The serial cannot grow any more (a state at Int64.max).
    case serialExhausted(backend: String, serial: Int)
    /// The write was not made under this backend's lock.
    case notLocked(backend: String)
    /// A file the user asked rolecall to write is one of the state's own files.
    case sharesStateFile(backend: String, path: String)

    public var description: String {
        switch self {
        case let .unreadable(backend, reason): return "cannot read state \(backend): \(reason)"
        case let .invalid(backend, problem): return "\(backend): \(problem); it was left untouched"
        case let .unwritable(backend, reason): return "cannot write state \(backend): \(reason)"
        case let .locked(backend, holder):
            let who = holder.map { "held by \($0)" } ?? "held by another process"
            return "state \(backend) is locked (\(who)); wait for it to finish or use --lock-timeout"
        case let .conflict(backend, expected, found):
            return "someone else wrote state \(backend) (expected \(expected.map(String.init(describing:)) ?? "no state"), "
                + "found \(found.map(String.init(describing:)) ?? "no state")); nothing was overwritten: re-run plan"
        case let .fork(backend, expected, writing):
            return "refusing to write state \(backend): \(writing) does not follow "
                + "\(expected.map(String.init(describing:)) ?? "an empty state") and would fork its history; re-run plan"
        case let .serialExhausted(backend, serial):
            return "state \(backend) is at serial \(serial), the largest there is; it cannot be written again "
                + "(start a new lineage: move the state away and import it)"
        case let .notLocked(backend): return "cannot write state \(backend): the write is not made under its lock"
        case let .sharesStateFile(backend, path):
            return "\(path) is a file of state \(backend) (the same file on disk); choose another path"
        }
    }
}

/// The one way every backend waits for something (a lock): try, pause, try again until a deadline.
/// Clock and pause are parameters so that tests can count attempts without waiting.
public struct Retry: Sendable {
    public var interval: TimeInterval
    public var clock: @Sendable () -> Date
    public var pause: @Sendable (TimeInterval) -> Void

    public init(interval: TimeInterval = 0.05, clock: @escaping @Sendable () -> Date = { Date() },
                pause: @escaping @Sendable (TimeInterval) -> Void = { usleep(useconds_t(max(0, $0) * 1_000_000)) }) {
        self.interval = interval
        self.clock = clock
        self.pause = pause
    }

    public static let standard = Retry()

    /// Calls `attempt` until it returns a value, at least once, pausing `interval` between calls, until
    /// `timeout` seconds have passed; nil when it never succeeded.
    public func poll<T>(for timeout: TimeInterval, _ attempt: () throws(StateError) -> T?) throws(StateError) -> T? {
        let deadline = clock().addingTimeInterval(max(0, timeout))
        while true {
            if let value = try attempt() { return value }
            let now = clock()
            guard now < deadline else { return nil }
            pause(min(interval, deadline.timeIntervalSince(now)))
        }
    }
}
