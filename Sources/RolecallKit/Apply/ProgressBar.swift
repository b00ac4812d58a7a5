import Foundation
import Synchronization

/// A progress bar for a terminal: `[#########...........]  812/2000  41%  395/s  ETA 3s`, redrawn at
/// most every `every` seconds through `draw` (the library never prints; the line has no newline, the
/// caller rewrites it in place), and `finish` once at the end.
public final class ProgressBar: ApplyObserver {
    private let draw: @Sendable (String) -> Void
    private let every: TimeInterval
    private let clock: @Sendable () -> Date
    private let state = Mutex<(start: Date, last: Date, total: Int, drawn: Bool)>((.distantPast, .distantPast, 0, false))

    public init(every: TimeInterval = 0.2, clock: @escaping @Sendable () -> Date = { Date() }, draw: @escaping @Sendable (String) -> Void) {
        self.every = every
        self.clock = clock
        self.draw = draw
    }

    public func willStart(changes: Int) async {
        let now = clock()
        state.withLock { $0 = (now, now, changes, false) }
    }

    public func didFinish(_ result: ChangeResult, index: Int, of total: Int) async {
        let now = clock()
        let line: String? = state.withLock { value in
            guard index + 1 == total || now.timeIntervalSince(value.last) >= every else { return nil }
            value.last = now
            value.drawn = true
            return Self.line(done: index + 1, total: total, elapsed: now.timeIntervalSince(value.start))
        }
        if let line { draw(line) }
    }

    /// The bar for `done` of `total` after `elapsed` seconds.
    public static func line(done: Int, total: Int, elapsed: TimeInterval, width: Int = 24) -> String {
        let share = total > 0 ? Double(done) / Double(total) : 1
        let filled = min(width, Int(share * Double(width)))
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let pad = String(total).count
        let count = String(repeating: " ", count: max(0, pad - String(done).count)) + "\(done)/\(total)"
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]  \(count)  "
            + "\(Int(share * 100))%  \(Int(rate.rounded()))/s  ETA \(duration(eta))"
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded(.up))
        return s < 60 ? "\(s)s" : s < 3600 ? "\(s / 60)m\(s % 60)s" : "\(s / 3600)h\(s % 3600 / 60)m"
    }
}
