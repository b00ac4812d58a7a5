import Foundation

/// One declaration under review: it was `reviewed:` on a day, and is due again `every` days later
/// (its own `review_every:`, else the org's). Declarations without a `reviewed:` date, or without a
/// period anywhere, are not tracked.
public struct ReviewItem: Sendable, Hashable {
    /// The resource the review is about (a member, grant or API key).
    public var id: ResourceID
    public var reviewed: CalendarDay
    /// Days between reviews.
    public var every: Int
    /// The last day the next review is on time: `reviewed` + `every` days.
    public var due: CalendarDay
    /// The first instant the review is overdue: the start of the day after `due` in the org's time zone.
    public var overdueFrom: Date
    /// Where `reviewed:` is written.
    public var location: SourceLocation

    public func isOverdue(at now: Date) -> Bool { overdueFrom <= now }

    /// "review of member jane@acme.com (reviewed 2026-01-10, every 180d) was due on 2026-07-09".
    public var summary: String { "review of \(id) (reviewed \(reviewed), every \(every)d)" }
}

public enum Reviews {
    /// Every tracked review of the org's members, direct grants and API keys whose access has not
    /// ended at `now`, in resource order.
    public static func items(of org: Organization, now: Date) -> [ReviewItem] {
        let zone = Scalars.timeZone(org.settings.timezone)
        let orgEvery = org.settings.reviewEvery?.value
        var found: [ReviewItem] = []
        func add(_ kind: ResourceKind, _ key: String, _ review: ReviewDates, _ expires: Expiry?) {
            guard let reviewed = review.reviewed, let every = review.every?.value ?? orgEvery else { return }
            if let expires, expires.hasPassed(at: now) { return }
            let due = CalendarDay(daysSinceEpoch: reviewed.value.daysSinceEpoch + every)
            found.append(ReviewItem(id: ResourceID(org: org.name, kind: kind, key: key), reviewed: reviewed.value, every: every,
                                    due: due, overdueFrom: due.next().start(in: zone), location: reviewed.location))
        }
        // Members are read in place (iterating copies each one).
        org.members.withUnsafeBufferPointer { members in
            for i in members.indices where members[i].review.reviewed != nil {
                add(.member, members[i].email, members[i].review, members[i].expires)
            }
        }
        for grant in org.grants where grant.review.reviewed != nil {
            add(.grant, grant.key.stateKey, grant.review, grant.expires)
        }
        for key in org.apiKeys where key.review.reviewed != nil {
            add(.apiKey, key.name, key.review, key.expires)
        }
        return found
    }
}
