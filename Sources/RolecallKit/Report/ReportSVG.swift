import Foundation

/// The report's pictures as inline SVG (no script, font or image from elsewhere): a timeline of the
/// coming days and the access matrix as a heat map.
enum ReportSVG {
    private static func h(_ s: String) -> String { Escape.html(s) }

    private static func color(_ kind: AccessReport.Event.Kind) -> String {
        switch kind {
        case .expiry: return "#c0392b"
        case .review: return "#2471a3"
        case .rotation: return "#b9770e"
        }
    }

    /// Days from `now` along a line; one marker per event, its label below, a tick every 15 days.
    static func timeline(_ events: [AccessReport.Event], now: Date, days: Int) -> String {
        let width = 900.0, left = 20.0, right = 880.0, axis = 40.0
        let height = 70.0 + Double(events.count) * 18
        let x = { (date: Date) -> Double in
            left + (right - left) * min(max(date.timeIntervalSince(now) / (Double(days) * 86_400), 0), 1)
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "width=\"100%\" aria-label=\"timeline of the next \(days) days\">\n"
        out += "<line x1=\"\(left)\" y1=\"\(axis)\" x2=\"\(right)\" y2=\"\(axis)\" stroke=\"#555\" stroke-width=\"2\"/>\n"
        for day in stride(from: 0, through: days, by: 15) {
            let tx = left + (right - left) * Double(day) / Double(days)
            let date = String(Timestamp.format(now.addingTimeInterval(Double(day) * 86_400)).prefix(10))
            out += "<line x1=\"\(tx)\" y1=\"\(axis - 5)\" x2=\"\(tx)\" y2=\"\(axis + 5)\" stroke=\"#555\"/>"
                + "<text x=\"\(tx)\" y=\"\(axis - 10)\" font-size=\"10\" text-anchor=\"middle\">\(date)</text>\n"
        }
        for (i, event) in events.enumerated() {
            let ex = x(event.at)
            let ly = axis + 24 + Double(i) * 18
            out += "<circle cx=\"\(ex)\" cy=\"\(axis)\" r=\"5\" fill=\"\(color(event.kind))\"><title>\(h(event.what))</title></circle>"
                + "<line x1=\"\(ex)\" y1=\"\(axis)\" x2=\"\(ex)\" y2=\"\(ly - 4)\" stroke=\"\(color(event.kind))\" stroke-dasharray=\"2,2\"/>"
                + "<text x=\"\(min(ex, right - 300))\" y=\"\(ly)\" font-size=\"11\" fill=\"\(color(event.kind))\">"
                + "\(String(Timestamp.format(event.at).prefix(10))) \(h(event.what))</text>\n"
        }
        return out + "</svg>"
    }

    /// People down, the org and its apps across; the darker the cell, the more permissive the role.
    static func heatmap(_ org: AccessReport.Org) -> String {
        let cellW = 90.0, cellH = 22.0, labelW = 220.0, headH = 30.0
        let width = labelW + cellW * Double(org.scopes.count) + 10
        let height = headH + cellH * Double(org.rows.count) + 10
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"heatmap\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "width=\"\(Int(width))\" aria-label=\"access heat map of org \(h(org.name))\">\n"
        for (c, scope) in org.scopes.enumerated() {
            out += "<text x=\"\(labelW + cellW * Double(c) + cellW / 2)\" y=\"\(headH - 10)\" font-size=\"11\" text-anchor=\"middle\">"
                + "\(h(scope ?? "org"))</text>\n"
        }
        for (r, row) in org.rows.enumerated() {
            let y = headH + cellH * Double(r)
            out += "<text x=\"\(labelW - 6)\" y=\"\(y + 15)\" font-size=\"11\" text-anchor=\"end\">\(h(row.email))</text>\n"
            for (c, cell) in row.cells.enumerated() {
                let alpha = cell.role == nil ? 0.04 : 0.15 + 0.85 * cell.weight
                let title = cell.role.map { "\(row.email) on \(org.scopes[c] ?? "org"): \($0) (\(cell.how.joined(separator: ", ")))" } ?? "no access"
                out += "<rect x=\"\(labelW + cellW * Double(c) + 1)\" y=\"\(y + 1)\" width=\"\(cellW - 2)\" height=\"\(cellH - 2)\" "
                    + "fill=\"#1f618d\" fill-opacity=\"\(String(format: "%.2f", alpha))\"><title>\(h(title))</title></rect>"
                if let role = cell.role {
                    out += "<text x=\"\(labelW + cellW * Double(c) + cellW / 2)\" y=\"\(y + 15)\" font-size=\"10\" text-anchor=\"middle\" "
                        + "fill=\"\(cell.weight > 0.6 ? "#fff" : "#000")\">\(h(role))</text>"
                }
                out += "\n"
            }
        }
        return out + "</svg>"
    }
}
