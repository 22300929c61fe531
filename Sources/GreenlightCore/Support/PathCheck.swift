import Foundation

#if canImport(Glibc)
import Glibc
#endif

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

    /// Why writing `path` failed, in plain words: Foundation's own reasons read "NSCocoaErrorDomain error
    /// 512" or "The file doesn't exist" (for a folder that accepts no new file, such as /proc).
    package static func writeProblem(_ path: String, _ error: any Error) -> String {
        if let problem = fileProblem(path) { return problem }
        let folder = { () -> String in
            let parent = (path as NSString).deletingLastPathComponent
            return parent.isEmpty ? "." : parent
        }
        if let posix = underlyingErrno(error) {
            switch posix {
            case ENOENT: return "the folder \(folder()) does not accept new files"
            case EACCES, EPERM: return "permission denied"
            case EROFS: return "the file system is read-only"
            case ENOSPC, EDQUOT: return "no space left on the device"
            case EISDIR: return "\(path) is a folder; name a file"
            case ENOTDIR: return "a part of the path is a file, not a folder"
            case ENAMETOOLONG: return "the name is too long"
            default: return String(cString: strerror(posix))
            }
        }
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "the folder \(folder()) does not accept new files"
            case .fileWriteNoPermission: return "permission denied"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            case .fileWriteOutOfSpace: return "no space left on the device"
            case .fileWriteFileExists: return "something is in the way at \(path)"
            case .fileWriteInvalidFileName: return "the name is not a valid file name"
            default: return "the system refused the write (\(cocoa.code.rawValue))"
            }
        }
        return "\(error)"
    }

    /// The errno behind a Foundation or POSIX error, when there is one.
    private static func underlyingErrno(_ error: any Error) -> Int32? {
        if let posix = error as? POSIXError { return posix.code.rawValue }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nil
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
