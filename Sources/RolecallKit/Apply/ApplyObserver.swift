import Foundation
import Synchronization

/// How one change of a run ended.
public struct ChangeResult: Sendable {
    public enum Outcome: Sendable {
        /// Carried out; the resource as the target now holds it (nil after a delete).
        case applied(AppliedResource?)
        /// The target refused or failed; the message says why.
        case failed(String)
    }

    public var change: Change
    public var outcome: Outcome
    /// When the target finished with it.
    public var time: Date

    public var succeeded: Bool {
        if case .applied = outcome { return true }
        return false
    }
}

/// Watches a run: progress displays, the audit log. Calls come in order from one task: `willStart`, then per
/// change `didFinish`, and per batch `willCommit` (the batch is about to be saved in the state; throwing
/// stops the run and the batch is not saved), then `didCommit` or `commitFailed`.
public protocol ApplyObserver: Sendable {
    func willStart(changes: Int) async
    func didFinish(_ result: ChangeResult, index: Int, of total: Int) async
    func willCommit(_ batch: [ChangeResult]) async throws
    func didCommit(_ batch: [ChangeResult], serial: Int) async
    func commitFailed(_ batch: [ChangeResult], error: StateError) async
}

extension ApplyObserver {
    public func willStart(changes: Int) async {}
    public func didFinish(_ result: ChangeResult, index: Int, of total: Int) async {}
    public func willCommit(_ batch: [ChangeResult]) async throws {}
    public func didCommit(_ batch: [ChangeResult], serial: Int) async {}
    public func commitFailed(_ batch: [ChangeResult], error: StateError) async {}
}

/// Reports how far a run is, through `report` (the library never prints): at most one line per
/// `every` seconds, and nothing for a run that ends sooner.
public final class ProgressReporter: ApplyObserver {
    private let report: @Sendable (String) -> Void
    private let every: TimeInterval
    private let clock: @Sendable () -> Date
    /// When it last spoke (a Mutex inside: the reporter is shared with the applying task).
    private let progress = Progress()

    public init(every: TimeInterval = 1, clock: @escaping @Sendable () -> Date = { Date() },
                report: @escaping @Sendable (String) -> Void) {
        self.every = every
        self.clock = clock
        self.report = report
    }

    public func willStart(changes: Int) async {
        progress.reset(at: clock())
    }

    public func didFinish(_ result: ChangeResult, index: Int, of total: Int) async {
        let now = clock()
        guard progress.due(at: now, every: every) else { return }
        report("Applied \(index + 1) of \(total) changes...")
    }

    public func didCommit(_ batch: [ChangeResult], serial: Int) async {
        guard progress.hasReported else { return }
        report("Saved state serial \(serial).")
    }
}

/// The last time a `ProgressReporter` spoke, behind a lock.
private final class Progress: Sendable {
    private let last = Mutex<(since: Date, reported: Bool)>((Date.distantPast, false))

    func reset(at now: Date) { last.withLock { $0 = (now, false) } }

    var hasReported: Bool { last.withLock { $0.reported } }

    /// True (and remembered) when `every` seconds have passed since the start or the last report.
    func due(at now: Date, every: TimeInterval) -> Bool {
        last.withLock { value in
            guard now.timeIntervalSince(value.since) >= every else { return false }
            value = (now, true)
            return true
        }
    }
}
