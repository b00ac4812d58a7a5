import Foundation

/// The names of the system's tz database (`tzdata.zi` under `/usr/share/zoneinfo`, or `$TZDIR`):
/// primary zones (`Z` lines: `Asia/Kolkata`, `Etc/GMT+5`, `CET`, ...) and links (`L` lines: retired
/// or alternative names such as `Asia/Calcutta` -> `Asia/Kolkata`). Foundation's
/// `knownTimeZoneIdentifiers` comes from ICU on Linux and misses some of these, so it is only the
/// fallback on a system without `tzdata.zi`.
struct TimeZoneNames: Sendable {
    /// Primary zone names.
    let zones: Set<String>
    /// Link name -> the primary zone it names.
    let links: [String: String]

    /// What a `timezone:` value is.
    enum Verdict: Equatable {
        case zone
        /// A link: accepted, with a warning naming the zone it stands for.
        case link(canonical: String)
        /// Not a name at all (a path, an empty part, odd characters).
        case malformed
        case unknown(suggestion: String?)
    }

    /// The system's database, read once (immutable afterwards).
    static let system: TimeZoneNames = {
        let folder = ProcessInfo.processInfo.environment["TZDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo"
        if let text = try? String(contentsOfFile: folder + "/tzdata.zi", encoding: .utf8) { return TimeZoneNames(tzdata: text) }
        return TimeZoneNames(zones: Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC"]), links: [:])
    }()

    init(zones: Set<String>, links: [String: String]) {
        self.zones = zones
        self.links = links
    }

    /// Reads the compact `zic` input: `Z NAME ...` declares a zone, `L TARGET NAME` a link. The
    /// other lines (rules and zone continuations, 4,000 of 4,600) are passed over by their first
    /// byte; splitting every line into fields took 10 ms, in the middle of reading the manifests.
    init(tzdata text: String) {
        var zones: Set<String> = []
        var direct: [String: String] = [:]
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " "), zone = UInt8(ascii: "Z"), link = UInt8(ascii: "L")
        for line in text.utf8.split(separator: newline) where line.first == zone || line.first == link {
            let fields = line.split(separator: space).map { String(decoding: $0, as: UTF8.self) }
            if fields.count >= 2, fields[0] == "Z" { zones.insert(fields[1]) }
            if fields.count >= 3, fields[0] == "L" { direct[fields[2]] = fields[1] }
        }
        // A link may name another link: follow it to the zone (a few steps at most).
        var links: [String: String] = [:]
        for (name, var target) in direct {
            var steps = 0
            while !zones.contains(target), let next = direct[target], steps < 8 {
                target = next
                steps += 1
            }
            if zones.contains(target) { links[name] = target }
        }
        self.init(zones: zones, links: links)
    }

    func verdict(_ name: String) -> Verdict {
        if zones.contains(name) { return .zone }
        // `UTC` is the documented default and the name everyone writes: no warning for it.
        if name == "UTC" { return .zone }
        if let canonical = links[name] { return .link(canonical: canonical) }
        if Self.isMalformed(name) { return .malformed }
        return .unknown(suggestion: Suggest.closest(to: name, among: Array(zones) + Array(links.keys)))
    }

    /// Path-like or odd: a leading `/` or `.`, `..`, an empty part, or characters no tz name uses.
    static func isMalformed(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || "_+-".contains(c)) }
        return parts.contains { part in part.isEmpty || part.first == "." || part.first == "-" || !part.allSatisfy(allowed) }
    }

    /// Checks a `timezone:` value, reporting to `sink`; the name to keep, or nil when it is refused.
    static func check(_ name: String, at location: SourceLocation, sink: DiagnosticSink, names: TimeZoneNames = .system) -> String? {
        let examples = DiagnosticNote("use an IANA name such as Europe/Berlin, America/New_York or UTC")
        switch names.verdict(name) {
        case .zone:
            return name
        case let .link(canonical):
            sink.warning(.timeZoneLink, "time zone '\(name)' is an old name (a link) of '\(canonical)'; write '\(canonical)'", at: location)
            return name
        case .malformed:
            sink.error(.timeZonePath, "'\(name)' is not a time zone name: names are Area/Location like Europe/Berlin, never paths", at: location,
                       notes: [examples])
            return nil
        case let .unknown(suggestion):
            sink.error(.unknownTimeZone, "unknown time zone '\(name)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? ""), at: location,
                       notes: [examples])
            return nil
        }
    }

    /// The zone to compute local midnights in: Foundation's zone of that name, else of the zone a link
    /// names, else UTC (only for a name validation refused).
    static func timeZone(_ name: String, names: TimeZoneNames = .system) -> TimeZone {
        if name == "UTC" { return TimeZone(secondsFromGMT: 0) ?? .current }
        if let zone = TimeZone(identifier: name) { return zone }
        if let canonical = names.links[name], let zone = TimeZone(identifier: canonical) { return zone }
        return TimeZone(secondsFromGMT: 0) ?? .current
    }
}
