/// The verdict in block letters five rows high, for the end of the terminal report.
enum BigLetters {
    static let glyphs: [Character: [String]] = [
        "G": [" ████ ", "██    ", "██ ███", "██  ██", " ████ "],
        "O": [" ████ ", "██  ██", "██  ██", "██  ██", " ████ "],
        "N": ["██  ██", "███ ██", "██████", "██ ███", "██  ██"],
        "-": ["      ", "      ", " ████ ", "      ", "      "],
    ]

    /// Five lines spelling `word`; characters without a glyph are left out.
    static func render(_ word: String) -> [String] {
        let letters = word.compactMap { glyphs[$0] }
        return (0..<5).map { row in
            var line = letters.map { $0[row] }.joined(separator: " ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
