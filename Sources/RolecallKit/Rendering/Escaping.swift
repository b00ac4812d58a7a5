/// Escaping of user-supplied strings (names, tickets, reasons, file names, messages quoting them) for
/// each output, so that nothing a manifest says can pass for rolecall's own output: no terminal escape
/// codes, no line breaks, no bidi reordering, no Markdown or HTML.
enum Escape {
    /// Control characters as visible escapes: `\0`, `\t`, `\n`, `\r`, else `\u{1B}`. C0, DEL and C1
    /// controls, line/paragraph separators and the bidi marks, embeddings, overrides and isolates
    /// (a "Trojan Source" reordering) are escaped; everything else, including a backslash, is kept.
    static func text(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isUnsafe) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            guard isUnsafe(scalar) else {
                out.append(scalar)
                continue
            }
            switch scalar {
            case "\0": out.append(contentsOf: #"\0"#.unicodeScalars)
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            default: out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }

    static func isUnsafe(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// Markdown characters that can start inline markup (emphasis, code, links, images, HTML, entities,
    /// strikethrough, table cells, autolinks).
    private static let markdownInline: Set<Character> = ["\\", "`", "*", "[", "]", "<", "&", "|", "~"]
    /// Characters that start a block (heading, quote, list, break, setext underline) at a line's start.
    private static let markdownBlock: Set<Character> = ["#", ">", "-", "+", "=", "*", "_"]

    /// Plain text inside Markdown (a table cell, or a list item's text when `blockStart`): control
    /// characters escaped as in text, then every character that could start inline markup
    /// backslash-escaped, `_` wherever it could open or close emphasis, and (at a block's start) a leading
    /// block marker or ordered-list number. What a manifest wrote reads as written and can never become a
    /// heading, a closing `</details>`, a link or bold text.
    static func markdown(_ s: String, blockStart: Bool = false) -> String {
        let s = text(s)
        let characters = Array(s)
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let listMarker = blockStart ? orderedListMarker(characters) : nil
        for (i, c) in characters.enumerated() {
            let atStart = (blockStart && i == 0 && markdownBlock.contains(c)) || i == listMarker
            if atStart || markdownInline.contains(c) || (c == "_" && !intraword(characters, i)) {
                out.append("\\")
            }
            out.append(c)
        }
        return out
    }

    /// Text inside a code span in a table: control characters escaped as in text, `|` escaped for the
    /// table, a backtick (which would end the span) shown as `'`.
    static func markdownCode(_ s: String) -> String {
        text(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'")
    }

    /// Text inside raw HTML (a `<summary>`): entities, so no tag can open or close.
    static func html(_ s: String) -> String {
        var out = ""
        for c in text(s) {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A GitHub workflow command's message: `%`, CR and LF percent-encoded as the runner requires; other
    /// control characters escaped as in text (the runner's log is a terminal too).
    static func githubData(_ s: String) -> String {
        let encoded = s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
        return text(encoded)
    }

    /// A GitHub workflow command's property value (`file=`): also `:` and `,`, which end a property.
    static func githubProperty(_ s: String) -> String {
        githubData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    private static func intraword(_ c: [Character], _ i: Int) -> Bool {
        i > 0 && i < c.count - 1 && (c[i - 1].isLetter || c[i - 1].isNumber) && (c[i + 1].isLetter || c[i + 1].isNumber)
    }

    /// Where the `.` or `)` of `12. ` or `3) ` is (an ordered list item at a line's start), if there.
    private static func orderedListMarker(_ c: [Character]) -> Int? {
        var i = 0
        while i < c.count, c[i].isASCII, c[i].isNumber { i += 1 }
        return i > 0 && i < c.count && (c[i] == "." || c[i] == ")") ? i : nil
    }
}
