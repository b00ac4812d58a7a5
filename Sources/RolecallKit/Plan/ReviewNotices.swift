import Foundation

extension Planner {
    /// Reviews overdue at `now`, and those coming due within `--warn-within`, as notices.
    static func reviewNotices(_ reviews: [ReviewItem], options: PlanOptions) -> [Notice] {
        let horizon = options.now.addingTimeInterval(options.warnWithin)
        return reviews.compactMap { item in
            if item.isOverdue(at: options.now) {
                return Notice(kind: .reviewDue, id: item.id, message: "\(item.summary) is overdue: it was due on \(item.due)",
                              location: item.location)
            }
            guard item.overdueFrom <= horizon else { return nil }
            let left = Timestamp.remaining(item.overdueFrom.timeIntervalSince(options.now))
            return Notice(kind: .reviewDue, id: item.id, message: "\(item.summary) is due by \(item.due) (in \(left))",
                          location: item.location)
        }
    }
}
