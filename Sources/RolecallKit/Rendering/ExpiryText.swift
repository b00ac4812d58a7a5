import Foundation

/// Expiries as their authors wrote them. Plans and the state keep instants (`2026-12-21T05:00:00Z`);
/// a date-only expiry (`expires: 2026-12-20` in an org whose `timezone` is America/New_York) ends at a
/// local midnight, and reads back as `through 2026-12-20 (America/New_York)`. Any other instant reads
/// as itself.
struct ExpiryText {
    private var zones: [String: TimeZone] = [:]
    private let context: [String: OrgContext]

    init(_ context: [String: OrgContext]) {
        self.context = context
    }

    /// `through 2026-12-20 (America/New_York)` when `instant` is the start of a day in the org's time
    /// zone, else the instant as given.
    mutating func written(_ instant: String, org: String) -> String {
        let name = context[org]?.timezone ?? "UTC"
        guard let end = Timestamp.parse(instant) else { return instant }
        let zone = zones[name] ?? Scalars.timeZone(name)
        zones[name] = zone
        let day = Int((end.timeIntervalSince1970 / 86_400).rounded(.down))
        for candidate in (day - 2)...(day + 1) {
            let last = CalendarDay(daysSinceEpoch: candidate)
            if last.next().start(in: zone) == end { return "through \(last) (\(name))" }
        }
        return instant
    }

    /// The written form with the instant on hover (Markdown): `<span title="…">through …</span>`.
    mutating func markdown(_ instant: String, org: String) -> String {
        let shown = written(instant, org: org)
        guard shown != instant else { return Escape.markdown(instant) }
        return "<span title=\"\(Escape.html(instant))\">\(Escape.html(shown))</span>"
    }
}
