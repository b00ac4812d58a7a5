import Synchronization

extension ManifestLoader {
    /// Decodes files' texts side by side, `threads` at a time, large files in pieces (see
    /// `FilePieces`), largest pieces first. Returns each file's outcome in the order of `paths`; a text
    /// that could not be read is passed through as it is.
    func decode(_ texts: [Result<[UInt8], YAMLError>], paths: [String]) -> [Result<Decoded, YAMLError>] {
        let total = texts.reduce(0) { $0 + ((try? $1.get())?.count ?? 0) }
        var plans: [(indent: Int, starts: [Int])] = []
        var jobs: [(file: Int, piece: Int, size: Int)] = []
        for (file, text) in texts.enumerated() {
            let bytes = (try? text.get()) ?? []
            let count = FilePieces.count(size: bytes.count, total: total, threads: threads, minimumSize: pieceSize)
            let cuts = count > 1 ? FilePieces.cuts(in: bytes, count: count) : nil
            let starts = [0] + (cuts?.offsets ?? [])
            plans.append((cuts?.indent ?? 0, starts))
            guard case .success = text else { continue }
            for (piece, start) in starts.enumerated() {
                let end = piece + 1 < starts.count ? starts[piece + 1] : bytes.count
                jobs.append((file, piece, end - start))
            }
        }
        // The job that reads a file's last piece joins the file's pieces and decodes its documents,
        // beside the jobs still reading: so the pieces go first, then whole files, each largest first
        // (joining 100k members after every other job was done cost 30 ms of one core, the other idle).
        let split = Set(plans.indices.filter { plans[$0].starts.count > 1 })
        jobs.sort { a, b in
            (split.contains(a.file) ? 1 : 0, a.size, b.file, b.piece) > (split.contains(b.file) ? 1 : 0, b.size, a.file, a.piece)
        }
        let collected = Mutex(plans.map { [FilePieces.Read?](repeating: nil, count: $0.starts.count) })
        // Under 64 KiB of text in all, on one thread: handing jobs to other threads costs more than
        // they take (and the fuzz target, which cuts every input into pieces, ran at a fifth of its speed).
        let width = total < 1 << 16 ? 1 : threads
        let finished = parallelMap(jobs.count, width: width) { n -> (file: Int, outcome: Result<Decoded, YAMLError>)? in
            let job = jobs[n]
            let bytes = (try? texts[job.file].get()) ?? []
            let starts = plans[job.file].starts
            var read: FilePieces.Read? = readPiece(bytes, file: paths[job.file], from: starts[job.piece],
                                                   to: job.piece + 1 < starts.count ? starts[job.piece + 1] : nil)
            // Moved, never copied: a second reference to a piece's lists makes joining copy them.
            guard var pieces = collected.withLock({ all -> [FilePieces.Read]? in
                all[job.file][job.piece] = read.take()
                guard all[job.file].allSatisfy({ $0 != nil }) else { return nil }
                return all[job.file].indices.compactMap { all[job.file][$0].take() }
            }) else { return nil }
            return (job.file, assemble(&pieces, indent: plans[job.file].indent, bytes: bytes, file: paths[job.file]))
        }
        var outcomes = texts.map { text in text.map { _ in Decoded() } }
        for case let (file, outcome)? in finished { outcomes[file] = outcome }
        return outcomes
    }

    /// Reads the piece of `bytes` from `start` to `end` (nil: to the end), taking list items.
    func readPiece(_ bytes: [UInt8], file: String, from start: Int, to end: Int?) -> FilePieces.Read {
        let end = end ?? bytes.count
        var items = ListItems(file: file, textSize: end - start)
        guard start > 0 else {
            let text = end == bytes.count ? bytes : Array(bytes[..<end])
            let documents = reader.read(text, file: file, items: &items)
            return FilePieces.Read(documents: documents, items: items.removeAll(), key: nil)
        }
        let (key, line) = FilePieces.context(before: start, in: bytes)
        guard let key, DocumentDecoder.listKeys.contains(key) else {
            return FilePieces.Read(documents: .success([]), items: [], key: nil)
        }
        let text = Array((key + ":\n").utf8) + bytes[start..<end]
        // The text's line 2 is the file's line `line`.
        let documents = reader.read(text, file: file, items: &items, lineOffset: line - 2)
        return FilePieces.Read(documents: documents, items: items.removeAll(), key: key)
    }

    /// One file's outcome from its pieces; the whole file read again when they do not join.
    private func assemble(_ pieces: inout [FilePieces.Read], indent: Int, bytes: [UInt8], file: String) -> Result<Decoded, YAMLError> {
        if pieces.count == 1 {
            return pieces[0].documents.map { Self.decoded($0, items: pieces[0].items) }
        }
        guard let joined = FilePieces.join(&pieces, indent: indent) else { return decode(bytes, file: file) }
        return .success(Self.decoded(joined.documents, items: joined.items))
    }
}
