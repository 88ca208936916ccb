import Foundation
import Testing
@testable import CRNN

@Suite struct LoaderTests {
    let model = TestModel()

    private func loadError(modelBytes: [UInt8]? = nil, charset: [UInt8]? = nil) throws -> CRNNError? {
        let directory = try model.write(modelBytes: modelBytes, charset: charset)
        do {
            _ = try CRNNModel(directory: directory)
            return nil
        } catch {
            return error
        }
    }

    @Test func loadsAValidFileAndFoldsBatchNorm() throws {
        let loaded = try model.load()
        #expect(loaded.config == model.config)
        #expect(loaded.charset.scalars.map(String.init).joined() == "ab c1一二")
        #expect(loaded.convLayers.count == 4)
        // Folded weight = w·γ/√(σ²+ε); bias = β − μ·γ/√(σ²+ε).
        let t = { (name: String) in model.tensors[name]!.values }
        let scale = t("bn.1.weight")[2] / (t("bn.1.running_var")[2] + 1e-5).squareRoot()
        // Layer 1 is a 3×3 layer over 4 channels, so it keeps Winograd-transformed weights: compare
        // with the transform of the folded reference weights of output 2.
        let inChannels = 4, outChannels = loaded.convLayers[1].outChannels
        let conv1 = t("conv.1.weight"), gamma = t("bn.1.weight"), variance = t("bn.1.running_var")
        let folded = conv1.enumerated().map { i, w in w * gamma[i / (inChannels * 9)] / (variance[i / (inChannels * 9)] + 1e-5).squareRoot() }
        let expected = WinogradConvolution.transformWeights(folded, outChannels: outChannels, inChannels: inChannels)
        guard case .winograd(let transformed) = loaded.convLayers[1].weight else {
            Issue.record("layer 1 should use Winograd weights")
            return
        }
        #expect(transformed.count == 16 * outChannels * inChannels)
        #expect(zip(transformed, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(abs(folded[2 * inChannels * 9 + 5] - conv1[2 * inChannels * 9 + 5] * scale) < 1e-6)
        #expect(abs(loaded.convLayers[1].bias[2] - (t("bn.1.bias")[2] - t("bn.1.running_mean")[2] * scale)) < 1e-6)
        #expect(loaded.lstm[1].backward.bias[3] == t("lstm.bias_ih_l1_reverse")[3] + t("lstm.bias_hh_l1_reverse")[3])
    }

    @Test func missingTensorIsNamed() throws {
        let bytes = model.safetensors { $0["lstm.weight_hh_l1_reverse"] = nil }
        guard case let .missingTensor(file, tensor)? = try loadError(modelBytes: bytes) else {
            Issue.record("expected missingTensor")
            return
        }
        #expect(tensor == "lstm.weight_hh_l1_reverse")
        #expect(file.hasSuffix("crnn.safetensors"))
    }

    @Test func extraTensorIsNamed() throws {
        let bytes = model.safetensors { $0["conv.4.weight"] = ["dtype": "F16", "shape": [1], "data_offsets": [0, 2]] }
        guard case let .unexpectedTensor(file, tensor)? = try loadError(modelBytes: bytes) else {
            Issue.record("expected unexpectedTensor")
            return
        }
        #expect(tensor == "conv.4.weight")
        #expect(file.hasSuffix("crnn.safetensors"))
    }

    @Test func wrongShapeIsNamed() throws {
        let bytes = model.safetensors { header in
            var entry = header["fc.bias"] as! [String: Any]
            entry["shape"] = [4, 2]
            header["fc.bias"] = entry
        }
        guard case let .wrongShape(_, tensor, expected, found)? = try loadError(modelBytes: bytes) else {
            Issue.record("expected wrongShape")
            return
        }
        #expect(tensor == "fc.bias" && expected == [8] && found == [4, 2])
    }

    @Test func wrongDTypeIsNamed() throws {
        let bytes = model.safetensors { header in
            var entry = header["proj.bias"] as! [String: Any]
            entry["dtype"] = "F32"
            header["proj.bias"] = entry
        }
        guard case let .wrongDType(_, tensor, found)? = try loadError(modelBytes: bytes) else {
            Issue.record("expected wrongDType")
            return
        }
        #expect(tensor == "proj.bias" && found == "F32")
    }

    @Test func truncatedFileNamesTheFirstTensorPastTheEnd() throws {
        let bytes = model.safetensors()
        guard case let .truncatedData(_, tensor, _)? = try loadError(modelBytes: Array(bytes.dropLast(3))) else {
            Issue.record("expected truncatedData")
            return
        }
        // Tensors are laid out in sorted name order, so the last one is cut.
        #expect(tensor == model.tensors.keys.sorted().last!)
    }

    @Test func headerLongerThanFileIsRejected() throws {
        var bytes = model.safetensors()
        bytes[5] = 0x7f
        guard case .malformedHeader? = try loadError(modelBytes: bytes) else {
            Issue.record("expected malformedHeader")
            return
        }
    }

    @Test func inconsistentConfigIsRejected() throws {
        var config = model.config
        config.horizontalStride = 8
        let configJSON = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        let bytes = model.safetensors { $0["__metadata__"] = ["format": "docvault-crnn", "version": "1", "config": configJSON] }
        guard case let .invalidConfig(_, reason)? = try loadError(modelBytes: bytes) else {
            Issue.record("expected invalidConfig")
            return
        }
        #expect(reason.contains("horizontal_stride"))
    }

    @Test func charsetWithWrongLineCountIsRejected() throws {
        let charset = Array("a\nb\n".utf8)
        guard case let .invalidCharset(file, reason)? = try loadError(charset: charset) else {
            Issue.record("expected invalidCharset")
            return
        }
        #expect(file.hasSuffix("charset.txt") && reason.contains("classes"))
    }

    @Test func charsetWithWrongChecksumIsRejected() throws {
        var charset = model.charsetBytes
        charset[0] = UInt8(ascii: "z")
        guard case let .invalidCharset(_, reason)? = try loadError(charset: charset) else {
            Issue.record("expected invalidCharset")
            return
        }
        #expect(reason.contains("sha256"))
    }

    @Test func charsetKeepsSpaceAndRejectsMultiScalarLines() throws {
        let charset = try Charset(bytes: Array("a\n \n€\n".utf8), path: "c.txt")
        #expect(charset.scalars == ["a", " ", "€"])
        #expect(charset.classCount == 4)
        #expect(throws: CRNNError.self) { try Charset(bytes: Array("a\nbc\n".utf8), path: "c.txt") }
        #expect(throws: CRNNError.self) { try Charset(bytes: Array("a\n\nb".utf8), path: "c.txt") }
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
