import Foundation

/// A parsed safetensors file (weights/MODEL.md): the JSON header's tensor table and metadata,
/// and the raw bytes of the data section. Only reading; the model loader does the checking
/// against the architecture.
struct SafetensorsFile {
    struct TensorEntry {
        var dtype: String
        var shape: [Int]
        /// Byte range within the data section.
        var begin: Int
        var end: Int
    }

    let path: String
    let tensors: [String: TensorEntry]
    let metadata: [String: String]
    let bytes: Data
    /// Offset of the data section within `bytes`.
    let dataStart: Int

    init(path: String) throws(CRNNError) {
        self.path = path
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        guard data.count >= 8 else {
            throw .malformedHeader(file: path, reason: "file is \(data.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { acc, byte in
            acc | UInt64(byte.element) << (8 * UInt64(byte.offset))
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw .malformedHeader(file: path, reason: "header length \(headerLength) exceeds the file size \(data.count)")
        }
        let headerEnd = 8 + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd))
        } catch {
            throw .malformedHeader(file: path, reason: "header is not valid JSON")
        }
        guard let table = json as? [String: Any] else {
            throw .malformedHeader(file: path, reason: "header is not a JSON object")
        }
        var tensors: [String: TensorEntry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in table {
            if name == "__metadata__" {
                guard let meta = value as? [String: String] else {
                    throw .malformedHeader(file: path, reason: "__metadata__ must map strings to strings")
                }
                metadata = meta
                continue
            }
            tensors[name] = try Self.entry(value, name: name, path: path)
        }
        self.tensors = tensors
        self.metadata = metadata
        self.bytes = data
        self.dataStart = headerEnd
    }

    private static func entry(_ value: Any, name: String, path: String) throws(CRNNError) -> TensorEntry {
        guard let object = value as? [String: Any],
              let dtype = object["dtype"] as? String,
              let shape = object["shape"] as? [Int],
              let offsets = object["data_offsets"] as? [Int], offsets.count == 2
        else {
            throw .malformedHeader(file: path, reason: "tensor \(name) lacks dtype, shape or data_offsets")
        }
        return TensorEntry(dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// Size of the data section in bytes.
    var dataSize: Int { bytes.count - dataStart }

    /// The tensor's fp16 values widened to fp32. The caller has checked dtype, shape and range.
    func floats(_ entry: TensorEntry) -> [Float] {
        let count = (entry.end - entry.begin) / 2
        return [Float](unsafeUninitializedCapacity: count) { out, initialised in
            bytes.withUnsafeBytes { raw in
                let base = raw.baseAddress!.advanced(by: dataStart + entry.begin)
                for i in 0..<count {
                    let bits = UInt16(base.load(fromByteOffset: 2 * i, as: UInt8.self))
                        | UInt16(base.load(fromByteOffset: 2 * i + 1, as: UInt8.self)) << 8
                    out[i] = Float(Float16(bitPattern: bits))
                }
            }
            initialised = count
        }
    }
}
