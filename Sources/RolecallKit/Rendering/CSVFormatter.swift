/// CSV (RFC 4180, CRLF line ends) for spreadsheets: the members x apps matrix of `rolecall access`.
public struct CSVFormatter: AccessFormatter {
    public init() {}

    public var showsEveryScope: Bool { true }

    /// members x apps; a cell is `Scope.label` (the most permissive built-in role, else each custom role
    /// once, in byte order, joined by "+"; "-" for none). CSV is the full matrix whatever the question.
    public func access(_ people: [EffectiveAccess.Person], query: AccessQuery) -> String {
        let apps = Array(Set(people.flatMap(\.apps))).sorted(by: byteOrder)
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = (["org", "email", "status", "org_role"] + apps).map(cell).joined(separator: ",") + "\r\n"
        for person in people {
            let values = [nil] + apps.map(Optional.some)
            let cells = values.map { app -> String in
                guard let scope = person.scope(app), !scope.bindings.isEmpty else { return "-" }
                return scope.label ?? "-"
            }
            out += ([person.org, person.email, person.status] + cells).map(cell).joined(separator: ",") + "\r\n"
        }
        return out
    }
}
