import Foundation

/// Paths a spec names (runbooks, CA files, uploads, data files), taken relative to the spec's folder.
package enum SpecPath {
    /// `path` itself when absolute, otherwise `path` inside `directory`.
    package static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }
}
