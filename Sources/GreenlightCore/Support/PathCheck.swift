import Foundation

/// Why greenlight cannot create or write where a user pointed it, said plainly before trying (the
/// system's own errors read "NSCocoaErrorDomain error 512").
package enum PathCheck {
    /// Why `path` cannot be a folder that greenlight creates if needed and writes into; nil when it can.
    package static func folderProblem(_ path: String) -> String? {
        if path.isEmpty { return "the path is empty; name a folder" }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { return "\(path) is a file, not a folder" }
            return access(path, W_OK) == 0 ? nil : "the folder \(path) is not writable"
        }
        return ancestorProblem(of: path)
    }

    /// Why a file cannot be written at `path`; nil when it can.
    package static func fileProblem(_ path: String) -> String? {
        if path.isEmpty { return "the path is empty; name a file" }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return "\(path) is a folder; name a file" }
            return access(path, W_OK) == 0 ? nil : "\(path) is not writable"
        }
        return ancestorProblem(of: path)
    }

    /// The first folder above `path` that exists must be a folder, and writable.
    private static func ancestorProblem(of path: String) -> String? {
        var ancestor = (path as NSString).deletingLastPathComponent
        if ancestor.isEmpty { ancestor = "." }
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: ancestor, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return "\(ancestor) is a file, not a folder" }
                return access(ancestor, W_OK) == 0 ? nil : "the folder \(ancestor) is not writable"
            }
            let parent = (ancestor as NSString).deletingLastPathComponent
            if parent.isEmpty || parent == ancestor { return nil }
            ancestor = parent
        }
    }
}
