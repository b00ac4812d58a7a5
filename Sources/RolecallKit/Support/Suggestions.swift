/// Did-you-mean suggestions by edit distance (optimal string alignment: a swap of two neighbouring
/// letters counts as one edit), case-insensitive.
///
/// A word of up to 4 letters may be 1 edit off, up to 10 letters 2, longer 3; a suggestion 2 or more
/// edits off must start with the same letter. Bounded, so thousands of typos against thousands of
/// names stay near linear (issue 13, item 11): the candidates are indexed once by length and first
/// letter; a query compares only names of a length within reach and the same first letter (plus exact
/// look-ups for a one-edit change of the first letter), at most `compared` of them, each with a
/// distance computed in a band of the word's limit.
final class Suggestions {
    /// Most candidates whose distance one query computes.
    static let compared = 256

    private struct Entry {
        var scalars: [Unicode.Scalar]
        var order: Int
    }

    private let names: [String]
    /// Distances computed so far (bounded per question by `compared`).
    private(set) var computed = 0
    /// (length, first scalar) -> entries in the candidates' order.
    private var buckets: [Bucket: [Entry]] = [:]
    /// Lowercased name -> positions; and lowercased name without its first scalar -> positions.
    private var whole: [String: [Int]] = [:]
    private var tails: [String: [Int]] = [:]

    private struct Bucket: Hashable {
        var length: Int
        var first: Unicode.Scalar
    }

    /// `candidates` in the order ties are broken (the first wins).
    init(_ candidates: [String]) {
        names = candidates
        for (order, name) in candidates.enumerated() {
            let lowered = name.lowercased()
            let scalars = Array(lowered.unicodeScalars)
            guard let first = scalars.first else { continue }
            buckets[Bucket(length: scalars.count, first: first), default: []].append(Entry(scalars: scalars, order: order))
            whole[lowered, default: []].append(order)
            tails[String(lowered.unicodeScalars.dropFirst()), default: []].append(order)
        }
    }

    /// Names sorted by their bytes, so the suggestion does not depend on a set's order.
    convenience init(_ candidates: Set<String>) {
        self.init(candidates.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    func closest(to word: String) -> String? {
        let lowered = word.lowercased()
        let w = Array(lowered.unicodeScalars)
        guard let first = w.first else { return nil }
        let limit = w.count <= 4 ? 1 : (w.count <= 10 ? 2 : 3)
        var best: (distance: Int, order: Int)?
        func consider(_ order: Int, _ distance: Int) {
            if distance <= limit, best.map({ (distance, order) < ($0.distance, $0.order) }) ?? true { best = (distance, order) }
        }
        // One edit at the first letter: a different first letter, one letter more or less in front, or
        // the first two swapped. Exact look-ups.
        let tail = String(lowered.unicodeScalars.dropFirst())
        for order in tails[tail] ?? [] where names[order].lowercased() != lowered { consider(order, 1) }
        for order in whole[tail] ?? [] { consider(order, 1) }
        for order in tails[lowered] ?? [] { consider(order, 1) }
        if w.count >= 2 {
            var swapped = w
            swapped.swapAt(0, 1)
            var text = String.UnicodeScalarView()
            text.append(contentsOf: swapped)
            for order in whole[String(text)] ?? [] where w[0] != w[1] { consider(order, 1) }
        }
        // The rest: the same first letter and a length within reach, nearest lengths first.
        var budget = Self.compared
        for offset in [0, -1, 1, -2, 2, -3, 3] where abs(offset) <= limit {
            for entry in buckets[Bucket(length: w.count + offset, first: first)] ?? [] {
                guard budget > 0 else { break }
                budget -= 1
                computed += 1
                if let d = Self.distance(w, entry.scalars, within: limit) { consider(entry.order, d) }
            }
        }
        return best.map { names[$0.order] }
    }

    /// " (did you mean 'x'?)" or "".
    func hint(for word: String) -> String {
        closest(to: word).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// The optimal-string-alignment distance, or nil when it is over `limit`; only cells within `limit`
    /// of the diagonal are computed.
    static func distance(_ x: [Unicode.Scalar], _ y: [Unicode.Scalar], within limit: Int) -> Int? {
        guard abs(x.count - y.count) <= limit else { return nil }
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        let far = limit + 1
        let width = y.count + 1
        var d = [Int](repeating: far, count: (x.count + 1) * width)
        for i in 0...min(x.count, limit) { d[i * width] = i }
        for j in 0...min(y.count, limit) { d[j] = j }
        for i in 1...x.count {
            var rowBest = far
            for j in max(1, i - limit)...min(y.count, i + limit) {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var v = min(d[(i - 1) * width + j] + 1, d[i * width + j - 1] + 1, d[(i - 1) * width + j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    v = min(v, d[(i - 2) * width + j - 2] + 1)
                }
                d[i * width + j] = min(v, far)
                rowBest = min(rowBest, d[i * width + j])
            }
            if rowBest > limit { return nil }
        }
        let result = d[x.count * width + y.count]
        return result <= limit ? result : nil
    }
}

/// Did-you-mean for a short list of names (keys, catalogs, roles); see `Suggestions`.
enum Suggest {
    static func closest(to word: String, among candidates: [String]) -> String? {
        Suggestions(candidates).closest(to: word)
    }

    /// " (did you mean 'x'?)" or "".
    static func hint(for word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        return Suggestions.distance(x, y, within: max(x.count, y.count)) ?? max(x.count, y.count)
    }
}

/// Suggestions among a set of names, indexed on the first question only (a valid org asks none).
final class LazySuggestions {
    private let candidates: Set<String>
    private lazy var index = Suggestions(candidates)

    init(_ candidates: Set<String>) {
        self.candidates = candidates
    }

    /// " (did you mean 'x'?)" or "".
    func hint(for word: String) -> String { index.hint(for: word) }
}
