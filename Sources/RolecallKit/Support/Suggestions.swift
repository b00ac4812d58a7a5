/// Did-you-mean suggestions by edit distance (optimal string alignment: a swap of two neighbouring
/// letters counts as one edit), case-insensitive.
///
/// A word of up to 4 letters may be 1 edit off, up to 10 letters 2, longer 3; a suggestion 2 or more
/// edits off must start with the same letter. Bounded, so thousands of typos against thousands of
/// names stay near linear (issue 13, item 11): the candidates are indexed once by length and first
/// letter, each group sorted by its text and by its text read backwards. A question looks up a one-edit
/// change of the first letter exactly, and computes the distance (in a band of the word's limit) only
/// to names of a length within reach and the same first letter, at most `compared` of them: those
/// nearest the word in either sort order, i.e. sharing the longest start or the longest end with it.
final class Suggestions {
    /// Most candidates whose distance one query computes.
    static let compared = 256

    private struct Entry {
        var scalars: [Unicode.Scalar]
        var order: Int
    }

    /// One group of names (same length, same first letter), sorted forwards and backwards.
    private struct Group {
        var forward: [Entry] = []
        var backward: [Entry] = []
    }

    private let names: [String]
    /// The longest name, in Unicode scalars: a longer word (a 60 KB key) is out of reach at once.
    private var longest = 0
    /// Distances computed so far (bounded per question by `compared`).
    private(set) var computed = 0
    private var groups: [GroupKey: Group] = [:]
    /// Lowercased name -> positions; and lowercased name without its first scalar -> positions.
    private var whole: [String: [Int]] = [:]
    private var tails: [String: [Int]] = [:]

    private struct GroupKey: Hashable {
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
            longest = max(longest, scalars.count)
            groups[GroupKey(length: scalars.count, first: first), default: Group()].forward.append(Entry(scalars: scalars, order: order))
            whole[lowered, default: []].append(order)
            tails[String(lowered.unicodeScalars.dropFirst()), default: []].append(order)
        }
        groups = groups.mapValues { group in
            Group(forward: group.forward.sorted { $0.scalars.lexicographicallyPrecedes($1.scalars) },
                  backward: group.forward.sorted { Self.backwards($0.scalars, before: $1.scalars) })
        }
    }

    /// Names sorted by their bytes, so the suggestion does not depend on a set's order.
    convenience init(_ candidates: Set<String>) {
        self.init(candidates.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }

    private static func backwards(_ a: [Unicode.Scalar], before b: [Unicode.Scalar]) -> Bool {
        a.reversed().lexicographicallyPrecedes(b.reversed())
    }

    func closest(to word: String) -> String? {
        guard word.unicodeScalars.count <= longest + 3 else { return nil }
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
        if w.count >= 2, w[0] != w[1] {
            var swapped = String.UnicodeScalarView()
            swapped.append(contentsOf: [w[1], w[0]] + w.dropFirst(2))
            for order in whole[String(swapped)] ?? [] { consider(order, 1) }
        }
        // The rest: the same first letter and a length within reach, the budget shared by the groups.
        let reach = (-limit...limit).compactMap { groups[GroupKey(length: w.count + $0, first: first)] }
        let share = max(1, Self.compared / max(1, reach.count))
        for group in reach {
            for entry in Self.nearest(w, in: group, count: share) {
                computed += 1
                if let d = Self.distance(w, entry.scalars, within: limit) { consider(entry.order, d) }
            }
        }
        return best.map { names[$0.order] }
    }

    /// Up to `count` names of the group nearest `w` in either order, alternately, each once.
    private static func nearest(_ w: [Unicode.Scalar], in group: Group, count: Int) -> [Entry] {
        let forward = neighbours(of: group.forward.partitioningIndex { !$0.scalars.lexicographicallyPrecedes(w) },
                                 in: group.forward.count, upTo: count)
        let backward = neighbours(of: group.backward.partitioningIndex { !backwards($0.scalars, before: w) },
                                  in: group.backward.count, upTo: count)
        var taken: Set<Int> = []
        var result: [Entry] = []
        var f = forward.makeIterator(), b = backward.makeIterator()
        while result.count < count {
            let next = [f.next().map { group.forward[$0] }, b.next().map { group.backward[$0] }]
            if next.allSatisfy({ $0 == nil }) { break }
            for entry in next.compactMap({ $0 }) where result.count < count && taken.insert(entry.order).inserted {
                result.append(entry)
            }
        }
        return result
    }

    /// Up to `most` positions outward from `index`: index, index - 1, index + 1, …, within 0..<count.
    private static func neighbours(of index: Int, in count: Int, upTo most: Int) -> [Int] {
        var result: [Int] = []
        var high = index, low = index - 1
        while result.count < most, high < count || low >= 0 {
            if high < count { result.append(high); high += 1 }
            if low >= 0 { result.append(low); low -= 1 }
        }
        return result
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

extension Array {
    /// The first index whose element satisfies `belongs`, for an array partitioned by it (binary search).
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if belongs(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
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
